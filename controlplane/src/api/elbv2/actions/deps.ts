/** What the ELBv2 actions need beyond core. */
export interface Elbv2Deps {
  /** The host berth's load balancers listen on (their DNSName). */
  dnsName: string;
  /**
   * Why a listener port cannot be bound on the load balancer host (undefined: it can, or this
   * replica is not that host and cannot tell). Asked only for ports no load balancer holds yet.
   */
  portProblem(port: number): Promise<string | undefined>;
}
