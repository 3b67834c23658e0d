/**
 * Scenarios whose workload is a user's own agent code: the double-refund workload (SCENARIOS.md
 * #9) with the agent replaced by an exported async function that knows nothing of agentsim.
 *
 * A user module wraps its agent once:
 *
 * ```ts
 * // refund-agent.scenario.ts
 * import { userRefundScenario } from "<agentsim>/src/world/index.js";
 * import { refundAgent } from "./refund-agent.js";
 * export default userRefundScenario({ name: "my-refund-agent", agent: refundAgent });
 * ```
 *
 * and a scenario file names that module (`scenario: ./refund-agent.scenario.ts`), with the
 * double-refund parameters (`returns`, `processor`) and mitigations.
 *
 * The world: customers' returns arrive at seeded times (the same streams as the built-in
 * double-refund); for each, the agent is called as `agent(order, env)` in a simulated world where
 * its fetch reaches the payment processor (`env.refundUrl`: a `SimTool` with idempotency keys and
 * an effect ledger, over HTTP, see `http-tool.ts`) and the Messages API (`env.anthropicBaseUrl`,
 * see `anthropic-endpoint.ts`), on virtual time. The agent's own timeouts, retry library and
 * idempotency keys decide what happens; `at-most-once-effect` is judged from the processor's
 * ledger. A mitigation named in the run is passed to the agent in `env.mitigations`: the agent's
 * code decides what it means (the `idempotency-keys` mitigation means: send an `Idempotency-Key`).
 */
import { LlmProvider } from "../actors/llm-provider.js";
import type { SimTool } from "../actors/tool.js";
import { judge } from "../checks/invariant.js";
import { atMostOnceRefund, doubleRefund, drawReturns, refundedInExcess, refundProcessor } from "../scenarios/double-refund.js";
import { defineScenario, type Metric, type ScenarioDefinition } from "../scenarios/scenario.js";
import type { Distribution } from "../sim/distributions.js";
import type { ProcessHandle, Simulation } from "../sim/simulation.js";
import { AnthropicEndpoint } from "./anthropic-endpoint.js";
import { HttpTool } from "./http-tool.js";
import { SimWorld } from "./sim-world.js";
import type { Ended } from "../sim/process.js";

/** One customer's return, as the agent is given it. */
export interface RefundOrder {
  returnId: string;
  amountUsd: number;
}

/** What the agent is told about the world it runs in. */
export interface RefundAgentEnv {
  /** The refund endpoint: POST a JSON `{ returnId, amountUsd }`; honours an `Idempotency-Key` header. */
  refundUrl: string;
  /** The Messages API's base URL (pass it as the SDK's `baseURL`). */
  anthropicBaseUrl: string;
  /** Mitigations switched on for this run; the agent's code decides what each means. */
  mitigations: ReadonlySet<string>;
}

/** A user's refund agent: handles one return. Its value is ignored; throwing means it gave up. */
export type RefundAgent = (order: RefundOrder, env: RefundAgentEnv) => Promise<unknown>;

/** A refund scenario around a user's agent: its name, the agent, and how reports title it. */
export interface UserRefundScenarioOptions {
  /** The scenario's public name. */
  name: string;
  /** The agent under test. */
  agent: RefundAgent;
  title?: string;
  summary?: string;
}

const PAYMENTS_HOST = "payments.sim";
const REFUND_PATH = "/v1/refunds";

const params = {
  returns: doubleRefund.params.returns,
  processor: doubleRefund.params.processor,
};

/** The double-refund workload, run through the user's agent; see the file's contract. */
export function userRefundScenario(options: UserRefundScenarioOptions): ScenarioDefinition<typeof params> {
  return defineScenario({
    name: options.name,
    title: options.title ?? `Your refund agent against a processor slower than its timeout`,
    summary: options.summary ?? "the user's own refund agent (real code, virtual time): does a slow refund get paid twice?",
    params,
    invariants: [atMostOnceRefund],
    mitigations: [{ name: "idempotency-keys", description: "passed to the agent: it should send one Idempotency-Key per return, stable across retries" }],
    defaults: { seed: doubleRefund.defaults.seed, horizon: doubleRefund.defaults.horizon },
    build({ sim, params: v, mitigations, faults }) {
      const provider = new LlmProvider(sim, { name: "llm" });
      const anthropic = new AnthropicEndpoint(sim, { provider });
      const processor = refundProcessor(sim, v.processor, faults);
      const http = new HttpTool(sim, processor, { host: PAYMENTS_HOST, path: REFUND_PATH });
      const world = new SimWorld(sim, { services: [http, anthropic] });
      const env: RefundAgentEnv = { refundUrl: http.url, anthropicBaseUrl: `https://${anthropic.host}`, mitigations };
      const orders = drawOrders(sim, v.returns.count, v.returns.window, v.returns.amountUsd);
      const agents: ProcessHandle<Ended<unknown>>[] = [];
      for (const o of orders) {
        sim.at(o.at, () => {
          const asked = sim.trace.instant({
            actor: "customer",
            layer: "user",
            kind: "return.requested",
            attrs: { returnId: o.returnId, amountUsd: o.amountUsd },
          });
          agents.push(
            world.spawnAgent(`refund-agent ${o.returnId}`, () => options.agent({ returnId: o.returnId, amountUsd: o.amountUsd }, env), { parent: asked }),
          );
        });
      }
      return {
        aroundRun: (run) => world.enter(run),
        check: () => [judge(atMostOnceRefund, processor)],
        metrics: () => refundMetrics(orders, processor, agents, world, anthropic),
      };
    },
  });
}

/** A return and when it arrives. */
interface TimedOrder extends RefundOrder {
  at: number;
}

/** The built-in double-refund's returns (the same streams, the same draws), as the agent is given them. */
function drawOrders(sim: Simulation, count: number, windowMs: number, amount: Distribution): TimedOrder[] {
  return drawReturns(sim, count, windowMs, amount).map((r) => ({ returnId: r.id, amountUsd: r.amountUsd, at: r.at }));
}

/** The story in numbers: refunds against returns, money paid twice, what the agents reported. */
function refundMetrics(
  orders: readonly TimedOrder[],
  processor: SimTool,
  agents: readonly ProcessHandle<Ended<unknown>>[],
  world: SimWorld,
  anthropic: AnthropicEndpoint,
): Metric[] {
  const amountOf = new Map(orders.map((o) => [`return ${o.returnId}`, o.amountUsd]));
  const refunds = processor.ledger.entries;
  const dupes = processor.ledger.duplicates();
  const calls = processor.calls;
  const gaveUp = agents.filter((a) => a.outcome?.status === "done" && a.outcome.value.status === "failed").length;
  return [
    { name: "returns", value: orders.length, unit: "count", note: "refunds owed: one per return" },
    { name: "refunds committed", value: refunds.length, unit: "count", note: "refunds the processor's ledger holds" },
    { name: "duplicate refunds", value: refunds.length - new Set(refunds.map((e) => e.key)).size, unit: "count", note: "refunds beyond the first of a return" },
    { name: "returns refunded more than once", value: dupes.length, unit: "count" },
    { name: "refunded in excess", value: refundedInExcess(processor, amountOf), unit: "usd", note: "money paid out by duplicate refunds" },
    { name: "agents that gave up", value: gaveUp, unit: "count", note: "agent calls that threw (their retries ran out)" },
    { name: "agents unfinished", value: agents.filter((a) => !a.finished).length, unit: "count", note: "agent calls still running when the run ended" },
    { name: "processor calls", value: calls.length, unit: "count" },
    { name: "409 conflicts", value: calls.filter((c) => c.response?.ok === false && c.response.error === "conflict").length, unit: "count" },
    { name: "replays", value: calls.filter((c) => c.response?.replayed === true).length, unit: "count" },
    { name: "model calls", value: anthropic.calls, unit: "count", note: "Messages API calls that reached the provider" },
    { name: "leaks", value: world.leaks.length, unit: "count", note: "calls the simulation could not answer (they fail the run)" },
  ];
}
