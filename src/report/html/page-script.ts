/**
 * The page's only script, inlined: zoom and pan of the swimlane timeline (buttons, drag to select
 * a range, Ctrl/Alt + wheel, Shift + wheel to pan, double-click to reset, "show on timeline"
 * links) and hover details of its events. It re-places time-placed elements from their `data-a`/
 * `data-b` virtual times with the same formulas the static picture was drawn with (`xOf`,
 * `linkD`, `diamondD`, `TICK_STEPS_MS`, `tickLabel`, `formatDuration`); without it the page still reads whole.
 */
import { TICK_STEPS_MS } from "./time-axis.js";

/** The script's source (plain ES2017, no imports, no network). */
export const PAGE_SCRIPT = `(function () {
"use strict";
var STEPS = ${JSON.stringify(TICK_STEPS_MS)};
function r1(x) { return Math.round(x * 10) / 10; }
function round(x, d) { var f = Math.pow(10, d); return Math.round(x * f) / f; }
function fmtDur(ms) {
  var sign = ms < 0 ? "-" : "", a = Math.abs(ms);
  var millis = round(a, a < 10 ? 2 : 0);
  if (millis < 1000) return sign + millis + "ms";
  var seconds = round(a / 1000, 2);
  if (seconds < 60) return sign + seconds + "s";
  var tenths = Math.round(a / 100);
  if (tenths < 36000) { var m = Math.floor(tenths / 600), s = (tenths - m * 600) / 10; return s === 0 ? sign + m + "m" : sign + m + "m " + s + "s"; }
  var minutes = Math.round(a / 60000);
  if (minutes < 1440) { var h = Math.floor(minutes / 60), mm = minutes - h * 60; return mm === 0 ? sign + h + "h" : sign + h + "h " + mm + "m"; }
  var hours = Math.round(a / 3600000), d = Math.floor(hours / 24), hh = hours - d * 24;
  return hh === 0 ? sign + d + "d" : sign + d + "d " + hh + "h";
}
function tickLabel(t, step) {
  if (t === 0) return "0";
  if (t < 1000) return Math.round(t) + "ms";
  var decimals = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  var d = Math.floor(t / 86400000), h = Math.floor((t % 86400000) / 3600000), m = Math.floor((t % 3600000) / 60000);
  var sec = Number(((t % 60000) / 1000).toFixed(decimals));
  var parts = [d ? d + "d" : "", h ? h + "h" : "", m ? m + "m" : "", sec ? sec + "s" : ""];
  return parts.filter(Boolean).join(" ");
}
function pad(n, w) { n = String(n); while (n.length < w) n = "0" + n; return n; }
function fmtTs(ms) {
  var t = Math.round(ms), days = Math.floor(t / 86400000), rest = t - days * 86400000;
  var hms = pad(Math.floor(rest / 3600000), 2) + ":" + pad(Math.floor((rest % 3600000) / 60000), 2) + ":" + pad(Math.floor((rest % 60000) / 1000), 2) + "." + pad(rest % 1000, 3);
  return days > 0 ? "+" + days + "d " + hms : "+" + hms;
}
function linkD(x1, y1, x2, y2) {
  var dx = Math.max(10, Math.abs(x2 - x1) / 2);
  return "M" + r1(x1) + " " + r1(y1) + " C" + r1(x1 + dx) + " " + r1(y1) + " " + r1(x2 - dx) + " " + r1(y2) + " " + r1(x2) + " " + r1(y2);
}
function diamondD(x, y) { return "M" + r1(x) + " " + r1(y - 8) + " L" + r1(x + 8) + " " + r1(y) + " L" + r1(x) + " " + r1(y + 8) + " L" + r1(x - 8) + " " + r1(y) + " Z"; }

var tip = document.getElementById("tip");
var data = document.getElementById("event-details");
var details = data ? JSON.parse(data.textContent) : {};
var svg = document.querySelector("svg.swimlanes");
if (!svg) return;
var NS = "http://www.w3.org/2000/svg";
var D0 = +svg.dataset.t0, D1 = +svg.dataset.t1, X0 = +svg.dataset.x0, W = +svg.dataset.w;
var TOP = +svg.dataset.top, BOTTOM = +svg.dataset.bottom, MAXT = +svg.dataset.ticks;
var v0 = D0, v1 = D1;
var items = Array.prototype.slice.call(svg.querySelectorAll(".tz"));
var axisG = svg.querySelector("g.axis");
var status = document.getElementById("zoom-range");
var brush = svg.querySelector("rect.brush");
function X(t) { return X0 + (t - v0) / ((v1 - v0) || 1) * W; }
function clampX(x) { return Math.max(X0 - 40, Math.min(X0 + W + 40, x)); }
function place(el) {
  var a = +el.dataset.a, c = el.classList;
  if (c.contains("span") || c.contains("dens")) {
    var xa = clampX(X(a)), xb = clampX(X(+el.dataset.b));
    el.setAttribute("x", r1(xa)); el.setAttribute("width", r1(Math.max(c.contains("span") ? 2 : 1, xb - xa)));
  } else if (c.contains("link")) el.setAttribute("d", linkD(X(a), +el.dataset.y1, X(+el.dataset.b), +el.dataset.y2));
  else if (c.contains("vmark")) el.setAttribute("d", diamondD(clampX(X(a)), +el.dataset.y));
  else if (c.contains("vlabel")) { var xl = clampX(X(a)), right = xl > X0 + W * 0.7; el.setAttribute("x", r1(right ? xl - 4 : xl + 4)); el.setAttribute("text-anchor", right ? "end" : "start"); }
  else { var x = r1(clampX(X(a))); el.setAttribute("x1", x); el.setAttribute("x2", x); }
}
function axis() {
  while (axisG.firstChild) axisG.removeChild(axisG.firstChild);
  var span = Math.max(v1 - v0, 1e-9), step = STEPS[STEPS.length - 1];
  for (var i = 0; i < STEPS.length; i++) if (span / STEPS[i] <= MAXT) { step = STEPS[i]; break; }
  for (var k = Math.ceil(v0 / step); k * step <= v1; k++) {
    var x = r1(X(k * step));
    var line = document.createElementNS(NS, "line");
    line.setAttribute("x1", x); line.setAttribute("x2", x); line.setAttribute("y1", TOP - 6); line.setAttribute("y2", BOTTOM);
    var text = document.createElementNS(NS, "text");
    text.setAttribute("x", x); text.setAttribute("y", TOP - 10); text.setAttribute("text-anchor", "middle");
    text.textContent = tickLabel(k * step, step);
    axisG.appendChild(line); axisG.appendChild(text);
  }
}
function render() {
  svg.dataset.v0 = v0; svg.dataset.v1 = v1;
  for (var i = 0; i < items.length; i++) place(items[i]);
  axis();
  if (status) status.textContent = (v0 === D0 && v1 === D1 ? "whole run: " : "showing ") + fmtTs(v0) + " – " + fmtTs(v1) + " (" + fmtDur(v1 - v0) + ")";
}
function zoomTo(a, b) {
  var min = Math.max((D1 - D0) * 1e-6, 0.001);
  if (b - a < min) { var m = (a + b) / 2; a = m - min / 2; b = m + min / 2; }
  var w = Math.min(b - a, D1 - D0);
  a = Math.max(D0, Math.min(a, D1 - w));
  v0 = a; v1 = a + w; render();
}
function zoomBy(f, at) { if (at === undefined) at = (v0 + v1) / 2; zoomTo(at - (at - v0) * f, at + (v1 - at) * f); }
function pan(f) { var w = v1 - v0; zoomTo(v0 + w * f, v1 + w * f); }
function reduceMotion() { return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches; }
function svgX(ev) { var p = svg.createSVGPoint(); p.x = ev.clientX; p.y = ev.clientY; return p.matrixTransform(svg.getScreenCTM().inverse()).x; }
function timeAt(x) { return v0 + (x - X0) / W * (v1 - v0); }
document.addEventListener("click", function (ev) {
  var b = ev.target.closest && ev.target.closest("[data-zoom],[data-zoom-a]");
  if (!b) return;
  if (b.dataset.zoomA !== undefined) { ev.preventDefault(); zoomTo(+b.dataset.zoomA, +b.dataset.zoomB); svg.scrollIntoView({ behavior: reduceMotion() ? "auto" : "smooth", block: "center" }); return; }
  var z = b.dataset.zoom;
  if (z === "in") zoomBy(0.5); else if (z === "out") zoomBy(2); else if (z === "left") pan(-0.4); else if (z === "right") pan(0.4); else zoomTo(D0, D1);
});
svg.addEventListener("wheel", function (ev) {
  var x = svgX(ev);
  if (x < X0 || x > X0 + W) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) { ev.preventDefault(); zoomBy(ev.deltaY > 0 ? 1.25 : 0.8, timeAt(x)); }
  else if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) { ev.preventDefault(); pan((ev.deltaX || ev.deltaY) > 0 ? 0.1 : -0.1); }
}, { passive: false });
var drag = null;
svg.addEventListener("mousedown", function (ev) {
  var x = svgX(ev);
  if (ev.button !== 0 || x < X0 || x > X0 + W) return;
  drag = { x: x }; ev.preventDefault();
});
window.addEventListener("mousemove", function (ev) {
  if (!drag) return;
  var x = Math.max(X0, Math.min(X0 + W, svgX(ev)));
  brush.setAttribute("x", r1(Math.min(x, drag.x))); brush.setAttribute("width", r1(Math.abs(x - drag.x))); brush.setAttribute("visibility", "visible");
  drag.to = x;
});
window.addEventListener("mouseup", function () {
  if (!drag) return;
  brush.setAttribute("visibility", "hidden");
  if (drag.to !== undefined && Math.abs(drag.to - drag.x) > 4) zoomTo(timeAt(Math.min(drag.x, drag.to)), timeAt(Math.max(drag.x, drag.to)));
  drag = null;
});
svg.addEventListener("dblclick", function () { zoomTo(D0, D1); });
svg.addEventListener("mousemove", function (ev) {
  var el = ev.target.closest ? ev.target.closest("[data-id]") : null;
  var lines = el && details[el.dataset.id];
  if (!lines || drag) { tip.hidden = true; return; }
  tip.textContent = "";
  for (var i = 0; i < lines.length; i++) { var d = document.createElement("div"); d.textContent = lines[i]; if (i === 0) d.className = "tip-title"; tip.appendChild(d); }
  tip.hidden = false;
  var x = ev.clientX + 14, y = ev.clientY + 14;
  if (x + tip.offsetWidth > window.innerWidth - 8) x = ev.clientX - tip.offsetWidth - 14;
  if (y + tip.offsetHeight > window.innerHeight - 8) y = ev.clientY - tip.offsetHeight - 14;
  tip.style.left = x + "px"; tip.style.top = y + "px";
});
svg.addEventListener("mouseleave", function () { tip.hidden = true; });
render();
})();`;
