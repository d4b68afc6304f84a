/** Cluster auto scaling: managed scaling of capacity providers (docs/CLUSTER-AUTOSCALING.md). */
export { decideScaling, nodesNeeded, removalStep, type ManagedScalingSettings, type RemovalStep, type ScalingDecision, type ScalingInput, type ScalingInstance } from "./decision.js";
export { expireProvisioningTasks, isManagedScaling, isProvisioning, managedScalingProviders, placeProvisioningTasks, provisioningRoomAmong, provisioningTask, provisioningTimeoutReason, type ProvisioningRequest } from "./provisioning.js";
export { deregisterForRemoval, providerView, provisioningPairs, saveScalingMarks, scalingMarks, scalingPairs, setInstanceStatus, settingsOf, type ProviderView, type ScalingPair } from "./state.js";
