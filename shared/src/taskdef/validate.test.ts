import { describe, expect, it } from "vitest";
import { ClientException, InvalidParameterException, type BerthError } from "../errors.js";
import batchProcessor from "../../../docs/examples/batch-processor.json" with { type: "json" };
import microservice from "../../../docs/examples/microservice.json" with { type: "json" };
import webApp from "../../../docs/examples/web-app.json" with { type: "json" };
import { fargateProblem, validateTaskDefinition, type RegisterTaskDefinitionInput } from "./validate.js";

type Input = RegisterTaskDefinitionInput;
type Container = Input["containerDefinitions"][number];

/** A minimal valid EC2 definition; `c` overrides the first container, `t` the task. */
function td(c: Partial<Container> = {}, t: Partial<Input> = {}): Input {
  return { family: "app", containerDefinitions: [{ name: "web", image: "busybox", memory: 128, ...c }], ...t };
}

const fargate = (cpu: string, memory: string): Input =>
  td({}, { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu, memory });

const twoContainers = (a: Partial<Container>, b: Partial<Container>, t: Partial<Input> = {}): Input => ({
  family: "app",
  containerDefinitions: [
    { name: "a", image: "busybox", memory: 64, ...a },
    { name: "b", image: "busybox", memory: 64, ...b },
  ],
  ...t,
});

describe("validateTaskDefinition: accepted", () => {
  it.each<[string, Input]>([
    // the guide's Fargate web app, verbatim
    ["web-app example", webApp as Input],
    // the guide's EC2 microservice: awsvpc with hostPort 0 and a port without hostPort
    ["microservice example", microservice as Input],
    // the guide's Fargate batch job: no container memory, task memory set
    ["batch-processor example", batchProcessor as Input],
    // memoryReservation alone is enough
    ["memoryReservation only", td({ memory: undefined, memoryReservation: 64 })],
    // task-level memory replaces container memory on EC2
    ["task memory, no container memory", td({ memory: undefined }, { memory: "512" })],
    // bridge mode: any host port, 0 for dynamic
    ["bridge static and dynamic ports", td({ portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 0 }] })],
    // host mode with matching host port
    ["host mode matching ports", td({ portMappings: [{ containerPort: 80, hostPort: 80 }] }, { networkMode: "host" })],
    // a port range (newer ECS field)
    ["container port range", td({ portMappings: [{ containerPortRange: "8000-8010" }] }, { networkMode: "awsvpc" })],
    // dependsOn with HEALTHY on a health-checked container
    [
      "HEALTHY dependency",
      twoContainers(
        { dependsOn: [{ containerName: "b", condition: "HEALTHY" }] },
        { healthCheck: { command: ["CMD-SHELL", "true"], interval: 5, timeout: 2, retries: 1, startPeriod: 0 } },
      ),
    ],
    // one non-essential container next to an essential one
    ["one essential", twoContainers({ essential: false, dependsOn: [{ containerName: "b", condition: "START" }] }, {})],
    // health check bounds at their maxima
    ["health check maxima", td({ healthCheck: { command: ["CMD", "true"], interval: 300, timeout: 60, retries: 10, startPeriod: 300 } })],
    // ten containers is the limit, not over it
    [
      "ten containers",
      { family: "ten", containerDefinitions: Array.from({ length: 10 }, (_, i) => ({ name: `c${i}`, image: "busybox", memory: 8 })) },
    ],
    // mountPoints and volumesFrom that resolve
    [
      "volume references",
      twoContainers(
        { mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] },
        { volumesFrom: [{ sourceContainer: "a" }] },
        { volumes: [{ name: "data" }] },
      ),
    ],
    // the largest Fargate size
    ["Fargate 16 vCPU 120 GB", fargate("16384", "122880")],
    // task cpu at both ends of ECS's EC2 range
    ["task cpu 128", td({}, { cpu: "128" })],
    ["task cpu 192 vCPU", td({}, { cpu: "192 vCPU" })],
    // EXTERNAL with bridge is what ECS Anywhere runs
    ["EXTERNAL bridge", td({}, { requiresCompatibilities: ["EXTERNAL"] })],
    // Fargate sizes in ECS's unit spellings
    ["Fargate in vCPU and GB", fargate("1 vCPU", "2 GB")],
  ])("%s", (_name, input) => {
    expect(() => validateTaskDefinition(input)).not.toThrow();
  });
});

describe("validateTaskDefinition: refused", () => {
  it.each<[string, Input, new (message: string) => BerthError, string]>([
    // family with a space
    ["bad family", td({}, { family: "my app" }), InvalidParameterException, "family: must be 1 to 255"],
    // no containers
    ["no containers", { family: "a", containerDefinitions: [] }, InvalidParameterException, "containerDefinitions: must hold 1 to 10"],
    // eleven containers
    [
      "eleven containers",
      { family: "a", containerDefinitions: Array.from({ length: 11 }, (_, i) => ({ name: `c${i}`, image: "x", memory: 8 })) },
      InvalidParameterException,
      "got 11",
    ],
    // same name twice
    ["duplicate names", twoContainers({}, { name: "a" }), ClientException, "containerDefinitions[1].name: duplicate container name 'a'"],
    // container without a name
    ["missing name", td({ name: undefined }), ClientException, "containerDefinitions[0].name: Container.name should not be null or empty."],
    // container name with a dot
    ["bad container name", td({ name: "web.1" }), InvalidParameterException, "containerDefinitions[0].name: must be 1 to 255"],
    // container without an image
    ["missing image", td({ image: "" }), ClientException, "containerDefinitions[0].image"],
    // EC2 container with no memory anywhere
    [
      "no memory",
      td({ memory: undefined }),
      ClientException,
      "Invalid setting for container 'web'. At least one of 'memory' or 'memoryReservation' must be specified.",
    ],
    // soft limit above hard limit
    ["reservation above memory", td({ memory: 128, memoryReservation: 256 }), ClientException, "containerDefinitions[0].memoryReservation"],
    // container memory above the task's
    ["container above task memory", td({ memory: 1024 }, { memory: "512" }), ClientException, "containerDefinitions[0].memory: 1024 MiB"],
    // Fargate in bridge mode
    ["Fargate bridge", td({}, { requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512" }), ClientException, "Fargate only supports network mode 'awsvpc'."],
    // Fargate without task cpu
    [
      "Fargate no cpu",
      td({}, { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", memory: "512" }),
      ClientException,
      "Fargate requires that 'cpu' be defined at the task level.",
    ],
    // Fargate without task memory
    [
      "Fargate no memory",
      td({}, { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256" }),
      ClientException,
      "Fargate requires that 'memory' be defined at the task level.",
    ],
    // 256 CPU with 4 GB is not a Fargate size
    ["Fargate bad pair", fargate("256", "4096"), ClientException, "No Fargate configuration exists for given values: 256 CPU, 4096 memory."],
    // 512 CPU with a non-1024 step
    ["Fargate off-step memory", fargate("512", "1536"), ClientException, "1024, 2048, 3072, 4096"],
    // 8 vCPU memory steps are 4 GB
    ["Fargate 8 vCPU off-step", fargate("8192", "18432"), ClientException, "No Fargate configuration"],
    // CPU that Fargate lacks
    ["Fargate odd cpu", fargate("300", "1024"), ClientException, "The CPU units must be one of"],
    // task cpu that is not a number
    ["garbled task cpu", td({}, { cpu: "lots" }), InvalidParameterException, "cpu: 'lots'"],
    // awsvpc host port other than the container port
    [
      "awsvpc host port mismatch",
      td({ portMappings: [{ containerPort: 80, hostPort: 8080 }] }, { networkMode: "awsvpc" }),
      InvalidParameterException,
      "containerDefinitions[0].portMappings[0].hostPort: When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
    ],
    // host mode likewise
    ["host host port mismatch", td({ portMappings: [{ containerPort: 80, hostPort: 81 }] }, { networkMode: "host" }), InvalidParameterException, "networkMode=host"],
    // container port 0
    ["container port 0", td({ portMappings: [{ containerPort: 0 }] }), InvalidParameterException, "containerPort: must be between 1 and 65535"],
    // container port too big
    ["container port 70000", td({ portMappings: [{ containerPort: 70000 }] }), InvalidParameterException, "containerPort: must be between 1 and 65535"],
    // host port too big
    ["host port 70000", td({ portMappings: [{ containerPort: 80, hostPort: 70000 }] }), InvalidParameterException, "hostPort: must be between 0 and 65535"],
    // a port mapping without any container port
    ["no container port", td({ portMappings: [{ hostPort: 80 }] }), InvalidParameterException, "portMappings[0].containerPort: is required"],
    // backwards port range
    ["bad port range", td({ portMappings: [{ containerPortRange: "9000-8000" }] }), InvalidParameterException, "containerPortRange"],
    // nothing essential
    ["no essential container", twoContainers({ essential: false }, { essential: false }), ClientException, "at least one container must be essential"],
    // dependsOn an unknown container
    ["unknown dependency", td({ dependsOn: [{ containerName: "db", condition: "START" }] }), ClientException, "dependsOn[0].containerName: 'db' is not a container"],
    // dependsOn itself
    ["self dependency", td({ dependsOn: [{ containerName: "web", condition: "START" }] }), ClientException, "cannot depend on itself"],
    // unknown condition
    ["bad condition", twoContainers({ dependsOn: [{ containerName: "b", condition: "READY" as "START" }] }, {}), InvalidParameterException, "condition: must be one of START, COMPLETE, SUCCESS, HEALTHY"],
    // HEALTHY without a health check on the target
    ["HEALTHY without healthCheck", twoContainers({ dependsOn: [{ containerName: "b", condition: "HEALTHY" }] }, {}), ClientException, "HEALTHY needs a healthCheck on container 'b'"],
    // a -> b -> a
    [
      "cycle",
      twoContainers({ dependsOn: [{ containerName: "b", condition: "START" }] }, { dependsOn: [{ containerName: "a", condition: "START" }] }),
      ClientException,
      "dependsOn forms a cycle: a -> b -> a",
    ],
    // interval below 5
    ["health interval 4", td({ healthCheck: { command: ["CMD", "true"], interval: 4 } }), InvalidParameterException, "healthCheck.interval: must be between 5 and 300"],
    // timeout above 60 (the model's HealthCheck documentation: 2 to 60 seconds)
    ["health timeout 61", td({ healthCheck: { command: ["CMD", "true"], timeout: 61 } }), InvalidParameterException, "healthCheck.timeout: must be between 2 and 60"],
    // task cpu below ECS's 128 units
    ["task cpu 127", td({}, { cpu: "127" }), ClientException, "Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide. (cpu: 127 CPU units"],
    // task cpu above 192 vCPU
    ["task cpu 193 vCPU", td({}, { cpu: "193 vCPU" }), ClientException, "Invalid 'cpu' setting for task."],
    // awsvpc cannot validate against EXTERNAL (ECS Anywhere)
    ["EXTERNAL awsvpc", td({}, { networkMode: "awsvpc", requiresCompatibilities: ["EXTERNAL"] }), ClientException, "requiresCompatibilities: EXTERNAL does not support network mode 'awsvpc'"],
    // the quotas run first: an aws: tag
    ["reserved tag", td({}, { tags: [{ key: "aws:x", value: "y" }] }), InvalidParameterException, "tags[0].key: the aws: prefix is reserved"],
    // retries 0
    ["health retries 0", td({ healthCheck: { command: ["CMD", "true"], retries: 0 } }), InvalidParameterException, "healthCheck.retries: must be between 1 and 10"],
    // start period above 300
    ["health startPeriod 301", td({ healthCheck: { command: ["CMD", "true"], startPeriod: 301 } }), InvalidParameterException, "healthCheck.startPeriod: must be between 0 and 300"],
    // health command without CMD / CMD-SHELL
    ["health command form", td({ healthCheck: { command: ["curl", "localhost"] } }), InvalidParameterException, "healthCheck.command"],
    // mount of an undeclared volume
    ["unknown volume", td({ mountPoints: [{ sourceVolume: "data", containerPath: "/d" }] }), ClientException, "mountPoints[0].sourceVolume: unknown volume 'data'"],
    // volumesFrom a container that does not exist
    ["unknown volumesFrom", td({ volumesFrom: [{ sourceContainer: "db" }] }), ClientException, "volumesFrom[0].sourceContainer"],
    // network mode outside ECS's
    ["bad network mode", td({}, { networkMode: "nat" as "bridge" }), InvalidParameterException, "networkMode: must be one of"],
  ])("%s", (_name, input, errorClass, message) => {
    let caught: unknown;
    try {
      validateTaskDefinition(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(errorClass);
    expect((caught as Error).message).toContain(message);
  });
});

describe("fargateProblem", () => {
  it.each([
    // every documented 256 pairing
    ["256", "512", undefined],
    ["256", "2048", undefined],
    // 4 vCPU top end
    ["4096", "30720", undefined],
    // 4 vCPU one step over
    ["4096", "31744", "No Fargate configuration"],
    // 8 vCPU in 4 GB steps
    ["8192", "16384", undefined],
    ["8192", "61440", undefined],
    // 16 vCPU in 8 GB steps
    ["16384", "40960", undefined],
    ["16384", "36864", "No Fargate configuration"],
  ])("cpu %s memory %s", (cpu, memory, problem) => {
    const got = fargateProblem({ networkMode: "awsvpc", cpu, memory });
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });
});
