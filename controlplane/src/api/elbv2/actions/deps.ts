/** What the ELBv2 actions need beyond core: the host berth's load balancers listen on (their DNSName). */
export interface Elbv2Deps {
  dnsName: string;
}
