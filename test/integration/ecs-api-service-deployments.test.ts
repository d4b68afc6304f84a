import {
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startSingleHost, type SingleHost, type TestControlPlane } from "../support/berth.js";
import { boto3Json } from "../support/boto3.js";
import { describeService, registerFamily, sleeper, type ServiceScope } from "../support/cluster-services.js";
import { TEST_IMAGE } from "../support/image.js";

// The service deployments API with a real agent: history of each deployment, its revisions,
// and a user's rollback of one that cannot finish.
const cluster = `sdep-${process.pid}`;
let host: SingleHost;
let t: TestControlPlane;

beforeAll(async () => {
  host = await startSingleHost(cluster, { BERTH_RECONCILE_INTERVAL_MS: "300" });
  t = host.t;
});
afterAll(async () => {
  await host?.stop();
});

const scope: ServiceScope = { ecs: () => t.ecs, cluster };
const register = (image = TEST_IMAGE) => registerFamily(scope, "sdep", sleeper({ image }));
const describe1 = () => describeService(scope, "web");
const list = async () => (await t.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: "web" }))).serviceDeployments ?? [];
const one = async (arn: string) => (await t.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0];

describe("service deployments", () => {
  let firstArn: string;
  let goodTd: string;

  it("records CreateService's deployment, SUCCESSFUL once the service is steady", async () => {
    goodTd = await register();
    await t.ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "sdep", desiredCount: 2 }));
    const svc = await describe1();
    firstArn = svc.currentServiceDeployment!;
    expect(firstArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:000000000000:service-deployment/${cluster}/web/[A-Za-z0-9_-]{21}$`));
    const sd = await eventually("the first deployment to succeed", async () => {
      const d = await one(firstArn);
      return d.status === "SUCCESSFUL" ? d : undefined;
    }, 60_000, 300);
    expect(sd.finishedAt).toBeInstanceOf(Date);
    expect(sd.sourceServiceRevisions).toEqual([]);
    expect(sd.targetServiceRevision).toMatchObject({ requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 });
    expect(sd.deploymentCircuitBreaker).toEqual({ status: "DISABLED", failureCount: 0, threshold: 3 });

    const rev = (await t.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [sd.targetServiceRevision!.arn!] }))).serviceRevisions![0];
    expect(rev).toMatchObject({ taskDefinition: goodTd, launchType: "EC2", containerImages: [{ containerName: "main", image: TEST_IMAGE }] });
    expect((await describe1()).currentServiceRevisions).toEqual([{ arn: rev.serviceRevisionArn, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }]);
    expect(await list()).toMatchObject([{ serviceDeploymentArn: firstArn, status: "SUCCESSFUL", targetServiceRevisionArn: rev.serviceRevisionArn }]);
  });

  it("rolls back a deployment that cannot finish when the user stops it", async () => {
    await register("berth-test/no-such-image:1");
    await t.ecs.send(new UpdateServiceCommand({ cluster, service: "web", taskDefinition: "sdep" }));
    const stuckArn = (await describe1()).currentServiceDeployment!;
    expect(stuckArn).not.toBe(firstArn);
    const stuck = await one(stuckArn);
    expect(stuck.status).toBe("IN_PROGRESS");
    expect(stuck.sourceServiceRevisions?.map((r) => r.arn)).toEqual([(await one(firstArn)).targetServiceRevision!.arn]);

    await expect(t.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: firstArn, stopType: "ROLLBACK" }))).rejects.toMatchObject({ name: "ConflictException" });
    const res = await t.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: stuckArn, stopType: "ROLLBACK" }));
    expect(res.serviceDeploymentArn).toBe(stuckArn);
    expect((await one(stuckArn)).status).toBe("ROLLBACK_IN_PROGRESS");

    const done = await eventually("the rollback to succeed", async () => {
      const d = await one(stuckArn);
      return d.status === "ROLLBACK_SUCCESSFUL" ? d : undefined;
    }, 60_000, 300);
    expect(done.rollback?.serviceRevisionArn).toBe(stuck.sourceServiceRevisions![0].arn);
    const svc = await describe1();
    expect(svc.taskDefinition).toBe(goodTd);
    expect(svc.currentServiceDeployment).toBe(stuckArn);
    // Newest first; the rollback belongs to the stuck deployment, not a new one.
    expect((await list()).map((d) => [d.serviceDeploymentArn, d.status])).toEqual([
      [stuckArn, "ROLLBACK_SUCCESSFUL"],
      [firstArn, "SUCCESSFUL"],
    ]);
    expect((await t.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: "web", status: ["SUCCESSFUL"] }))).serviceDeployments).toHaveLength(1);
  });

  it("answers ECS's errors and failures", async () => {
    const bogus = `arn:aws:ecs:us-east-1:000000000000:service-deployment/${cluster}/web/nope`;
    await expect(t.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: bogus }))).rejects.toMatchObject({ name: "ServiceDeploymentNotFoundException" });
    await expect(t.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: firstArn, stopType: "ABORT" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    const d = await t.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [bogus, firstArn] }));
    expect(d.serviceDeployments).toHaveLength(1);
    expect(d.failures).toEqual([{ arn: bogus, reason: "MISSING" }]);
    await expect(t.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: "absent" }))).rejects.toMatchObject({ name: "ServiceNotFoundException" });
  });

  it("serves boto3's list_service_deployments and describe_service_revisions", async () => {
    const out = await boto3Json<{ statuses: string[]; td: string }>(
      t.endpoint,
      `ds = ecs.list_service_deployments(cluster="${cluster}", service="web")["serviceDeployments"]
rev = ecs.describe_service_revisions(serviceRevisionArns=[ds[-1]["targetServiceRevisionArn"]])["serviceRevisions"][0]
print(json.dumps({"statuses": [d["status"] for d in ds], "td": rev["taskDefinition"]}))`,
      "1.36.0",
    );
    expect(out).toEqual({ statuses: ["ROLLBACK_SUCCESSFUL", "SUCCESSFUL"], td: goodTd });
  });
});
