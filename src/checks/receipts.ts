/**
 * Receipts honoured: an agent that starts async jobs (a tool call that answers with a job id, a
 * receipt, while the job ends minutes later) reports only what it knows. Two checks:
 *
 * - `receiptsResolved`: no completion report while a job its run started is still unresolved;
 *   a report that says `pending` is honest and never breaks it.
 * - `claimsMatchOutcomes`: every outcome a report claims for a job (`succeeded`, `failed`) is the
 *   outcome the job actually had, by the end of the run.
 *
 * `receiptEvidence(trace)` reads both from the trace: the job service's `job.submit`,
 * `job.succeeded` and `job.failed` events (see `job-service.ts`) and the agent's report events
 * (attrs `subject`, `status`, `claims: [{ jobId, outcome }]`, optionally `text`). The jobs a report answers for are
 * the ones submitted under the same scope span as the report (the harness's `run`, by default),
 * found by causal ancestry: what the agent's run started, not what the report says it started.
 */
import { formatDuration, formatTimestamp } from "../sim/duration.js";
import type { Trace, TraceEvent } from "../sim/trace.js";
import { verdict, type Verdict, type Violation } from "./verdict.js";

/** A job's outcome as a report may claim it; `pending` means "not known yet". */
export type JobOutcomeClaim = "succeeded" | "failed" | "pending";

/** One async job, from the job service's own events. */
export interface JobEvidence {
  jobId: string;
  submittedAt: number;
  /** The `job.submit` span (its begin event). */
  submitEvent: number;
  /** How it stood at the end of the run. */
  state: JobOutcomeClaim;
  endedAt?: number;
  /** The `job.succeeded` / `job.failed` event. */
  endEvent?: number;
}

/** What a report says about one job. */
export interface JobClaim {
  jobId: string;
  outcome: JobOutcomeClaim;
}

/** One report an agent gave (to a user, a caller, a summary). */
export interface ReportEvidence {
  t: number;
  eventId: number;
  /** What the report is about, for messages (a task). */
  subject: string;
  /** `pending` reports work still running; any other status presents the work as finished. */
  status: string;
  /** What the report said, in words, when it says (attr `text`). */
  text?: string;
  /** The jobs the reporting run started (from the trace, not from the report). */
  jobs: string[];
  claims: JobClaim[];
}

/** Jobs and reports read from a trace. */
export interface ReceiptEvidence {
  jobs: Map<string, JobEvidence>;
  reports: ReportEvidence[];
}

/** Which trace events `receiptEvidence` reads as reports, runs and jobs. */
export interface ReceiptEvidenceOptions {
  /** The kind of the agent's report events (default `report`). */
  reportKind?: string;
  /** The kind of the span that scopes a report and the jobs it answers for (default `run`). */
  scopeKind?: string;
}

/** Reads jobs and reports from a trace; see the file's contract. */
export function receiptEvidence(trace: Trace, options: ReceiptEvidenceOptions = {}): ReceiptEvidence {
  const reportKind = options.reportKind ?? "report";
  const scopeKind = options.scopeKind ?? "run";
  const jobs = new Map<string, JobEvidence>();
  const jobScopes: { jobId: string; scope: number | undefined }[] = [];
  const reportEvents: TraceEvent[] = [];
  for (const e of trace.events) {
    const jobId = e.attrs?.jobId;
    if (e.kind === "job.submit" && e.phase === "begin" && typeof jobId === "string") {
      jobs.set(jobId, { jobId, submittedAt: e.t, submitEvent: e.id, state: "pending" });
      jobScopes.push({ jobId, scope: scopeOf(trace, e.id, scopeKind) });
    } else if ((e.kind === "job.succeeded" || e.kind === "job.failed") && typeof jobId === "string") {
      const job = jobs.get(jobId);
      if (job) Object.assign(job, { state: e.kind === "job.succeeded" ? "succeeded" : "failed", endedAt: e.t, endEvent: e.id });
    } else if (e.kind === reportKind && e.phase === "instant") {
      reportEvents.push(e);
    }
  }
  const reports = reportEvents.map((e) => {
    const scope = scopeOf(trace, e.id, scopeKind);
    const started = scope === undefined ? [] : jobScopes.filter((j) => j.scope === scope).map((j) => j.jobId);
    const text = typeof e.attrs?.text === "string" ? { text: e.attrs.text } : {};
    return {
      t: e.t,
      eventId: e.id,
      subject: String(e.attrs?.subject ?? e.actor),
      status: String(e.attrs?.status ?? "done"),
      ...text,
      jobs: started,
      claims: claimsOf(e),
    };
  });
  return { jobs, reports };
}

/** Judges that no report presents work as finished while a job its run started is unresolved. */
export function receiptsResolved(evidence: ReceiptEvidence, options: { invariant?: string } = {}): Verdict {
  const violations: Omit<Violation, "invariant">[] = [];
  for (const report of evidence.reports) {
    if (report.status === "pending") continue;
    for (const jobId of report.jobs) {
      const job = evidence.jobs.get(jobId);
      if (!job || (job.endEvent !== undefined && job.endEvent < report.eventId)) continue;
      violations.push({
        at: report.t,
        message: `${report.subject}: reported "${report.status}" at ${formatTimestamp(report.t)} while job ${jobId}, started ${formatDuration(report.t - job.submittedAt)} earlier, was still running (${afterwards(job, report.t)})`,
        evidence: [job.submitEvent, report.eventId],
      });
    }
  }
  return verdict(options.invariant ?? "receipts-resolved", violations);
}

/**
 * Judges that every outcome a report claims is the job's actual outcome. A claim about a job
 * still unresolved when the run ended (`endOfRun`) is judged false at that moment.
 */
export function claimsMatchOutcomes(evidence: ReceiptEvidence, options: { invariant?: string; endOfRun: number }): Verdict {
  const violations: Omit<Violation, "invariant">[] = [];
  for (const report of evidence.reports) {
    for (const claim of report.claims) {
      const job = evidence.jobs.get(claim.jobId);
      if (claim.outcome === "pending" || !job || job.state === claim.outcome) continue;
      const at = Math.max(report.t, job.endedAt ?? options.endOfRun);
      const actual = job.endedAt === undefined ? "was still running when the run ended" : `${job.state} at ${formatTimestamp(job.endedAt)}`;
      const late =
        job.endedAt !== undefined && job.endedAt > report.t ? `, ${formatDuration(job.endedAt - report.t)} after the report; nobody was listening` : "";
      violations.push({
        at,
        message: `${report.subject}: the report at ${formatTimestamp(report.t)}${said(report)} claimed job ${claim.jobId} ${claim.outcome}, but it ${actual}${late}`,
        evidence: job.endEvent === undefined ? [job.submitEvent, report.eventId] : [report.eventId, job.endEvent],
      });
    }
  }
  return verdict(options.invariant ?? "claims-match-outcomes", violations);
}

/** The nearest causal ancestor of `id` (itself included) of kind `kind`: its span id. */
function scopeOf(trace: Trace, id: number, kind: string): number | undefined {
  const chain = trace.causalChain(id);
  for (let i = chain.length - 1; i >= 0; i--) {
    const e = chain[i] as TraceEvent;
    if (e.kind === kind && e.phase === "begin") return e.id;
  }
  return undefined;
}

function claimsOf(e: TraceEvent): JobClaim[] {
  const raw = e.attrs?.claims;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((c) => {
    if (c === null || typeof c !== "object" || Array.isArray(c) || typeof c.jobId !== "string") return [];
    const outcome = c.outcome === "succeeded" || c.outcome === "failed" ? c.outcome : "pending";
    return [{ jobId: c.jobId, outcome }];
  });
}

/** ` ("Done: ...")`: what the report told its reader, when it says. */
function said(report: ReportEvidence): string {
  return report.text === undefined ? "" : ` ("${report.text}")`;
}

/** How a job ended relative to time `t`, for messages. */
function afterwards(job: JobEvidence, t: number): string {
  if (job.endedAt === undefined) return "it was still running when the run ended";
  return `it ${job.state} ${formatDuration(job.endedAt - t)} later`;
}
