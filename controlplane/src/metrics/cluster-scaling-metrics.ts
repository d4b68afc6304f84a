import { Gauge, type Registry } from "prom-client";

/** What one managed-scaling round saw of one provider in one cluster. */
export interface ScalingObservation {
  reservation: number;
  desired: number;
  instances: number;
  provisioning: number;
}

/** Reports managed-scaling rounds as gauges. */
export interface ClusterScalingMetrics {
  observe(cluster: string, capacityProvider: string, o: ScalingObservation): void;
}

/**
 * Registers managed scaling's series on the control plane's registry, set by the leader each
 * round, per cluster and capacity provider: ECS's CapacityProviderReservation, the instances
 * its target asks for, the instances it has and the tasks waiting in PROVISIONING.
 */
export function registerClusterScalingMetrics(registry: Registry): ClusterScalingMetrics {
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ["cluster", "capacity_provider"], registers: [registry] });
  const reservation = gauge("berth_capacity_provider_reservation_percent", "Managed scaling's CapacityProviderReservation (M / N x 100), as the leader last computed it.");
  const desired = gauge("berth_capacity_provider_desired_instances", "Instances managed scaling's target asks for: ceil(M x 100 / targetCapacity).");
  const instances = gauge("berth_capacity_provider_instances", "The capacity provider's instances that are not INACTIVE.");
  const provisioning = gauge("berth_capacity_provider_provisioning_tasks", "Tasks waiting in PROVISIONING for the capacity provider.");
  return {
    observe(cluster, capacityProvider, o) {
      const labels = { cluster, capacity_provider: capacityProvider };
      reservation.set(labels, o.reservation);
      desired.set(labels, o.desired);
      instances.set(labels, o.instances);
      provisioning.set(labels, o.provisioning);
    },
  };
}
