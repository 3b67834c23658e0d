/**
 * `agentsim-kit/world`: real, unmodified agent code (timers, `Date`, randomness, `fetch`, npm
 * clients) run on a simulation's virtual time and seeded streams, against simulated services.
 * An explicit list; docs/API.md lists it by section (`npm run docs`).
 */

// ## Running code in a world
export { runInWorld, type RunInWorldOptions, type WorldRun } from "../world/run-in-world.js";
export { SimWorld, type SimWorldOptions } from "../world/sim-world.js";

// ## Simulated services: what the world's fetch reaches
export {
  SimulationLeakError,
  SimNetwork,
  REFUSED_CODE,
  answerAfter,
  jsonResponse,
  type SimService,
  type Exchange,
  type SimNetworkOptions,
} from "../world/sim-fetch.js";
export { VirtualTimeout } from "../world/virtual-timers.js";
export { AnthropicEndpoint, type AnthropicEndpointOptions, type ContentBlock, type ResponseContext } from "../world/anthropic-endpoint.js";
export { HttpTool, type HttpToolOptions } from "../world/http-tool.js";

// ## A workload for your own agent: the double refund
export { userRefundScenario, type UserRefundScenarioOptions, type RefundOrder, type RefundAgentEnv, type RefundAgent } from "../world/user-agent-scenario.js";
