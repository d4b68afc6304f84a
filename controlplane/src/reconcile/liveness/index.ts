/** Instance liveness (leader only): disconnected instances, then lost tasks after a grace period. */
export { startLivenessLoop, type LivenessLoop, type LivenessLoopOptions } from "./loop.js";
export {
  planLiveness,
  classifyInstance,
  lostTaskReason,
  lostTaskStopCode,
  defaultLostInstanceGraceMs,
  type LivenessSnapshot,
  type LivenessPlan,
  type LivenessInstance,
  type LivenessTask,
  type LostTask,
  type DisconnectRequest,
  type InstanceVerdict,
} from "./plan.js";
export { applyLivenessPlan, type LivenessOutcome } from "./apply.js";
