import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LiveTenantsMetric } from './ledger/apply';

/** The namespace and metric the quota alarm watches (deploy/alarms.js). */
export const METRICS_NAMESPACE = 'TenantProvisioner';
export const LIVE_TENANTS_METRIC = 'LiveTenants';

/**
 * The live-tenant count as a CloudWatch metric (embedded metric format, through Powertools
 * Metrics), dimensioned by stage, published each time a write changed it.
 */
export function powertoolsLiveTenantsMetric(stage: string): LiveTenantsMetric {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'tenant-provisioner', defaultDimensions: { stage } });
  return (liveTenants) => {
    metrics.addMetric(LIVE_TENANTS_METRIC, MetricUnit.Count, liveTenants);
    metrics.publishStoredMetrics();
  };
}
