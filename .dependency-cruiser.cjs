/**
 * The folder rules of STYLE.md, checked by test/run.sh before the tests (dependency-cruiser):
 * workspaces meet only through each other's public face (the package name, i.e. its index),
 * shared/ depends on no other workspace, the control plane and the agent never import each
 * other, and no module imports itself back through a cycle.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes load order matter and hides which module is the lower layer.",
      from: { path: "^(shared|proto|controlplane|agent)/src" },
      to: { circular: true },
    },
    {
      name: "shared-stands-alone",
      severity: "error",
      comment: "shared/ is what both sides build on; it depends on no other workspace.",
      from: { path: "^shared/" },
      to: { path: "^(proto|controlplane|agent|test)/" },
    },
    {
      name: "controlplane-and-agent-apart",
      severity: "error",
      comment: "The control plane and the agent meet only through proto/ and shared/.",
      from: { path: "^controlplane/" },
      to: { path: "^agent/" },
    },
    {
      name: "agent-and-controlplane-apart",
      severity: "error",
      from: { path: "^agent/" },
      to: { path: "^controlplane/" },
    },
    {
      name: "no-deep-imports-across-workspaces",
      severity: "error",
      comment: "Another workspace is reached through its package name (its index), never its files.",
      from: { path: "^(shared|proto|controlplane|agent|test)/" },
      to: {
        path: "^(shared|proto|controlplane|agent)/",
        pathNot: ["^(shared|proto|controlplane|agent)/src/index\\.ts$", "^proto/generated/", "^$1/"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|generated)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: { conditionNames: ["berth-source", "import", "types", "default"], exportsFields: ["exports"] },
  },
};
