/** Control-plane leader election through etcd: one replica runs the scheduler loops. */
export { startLeaderElection, defaultLeaderTtlSeconds, type LeaderElection, type LeaderElectionOptions } from "./election.js";
