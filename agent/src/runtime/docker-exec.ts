import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { CannotExecError, classifyDockerError, dockerMessage } from "./errors.js";
import { FrameDemuxer } from "./log-frames.js";
import type { ContainerExec, ExecSink, ExecSpec } from "./types.js";

/** How long the exit code is waited for once the output ended (Docker records it just after). */
const exitWaitMs = 5000;
const exitPollMs = 50;

/**
 * Runs a command in a running container through the Engine API 1.41: `POST /containers/{id}/exec`
 * then a hijacked `POST /exec/{id}/start` whose connection carries stdin one way and the
 * output the other (Docker's 8-byte stdout/stderr frames without a tty, raw bytes with one).
 * When the output ends the exec is inspected for its exit code.
 */
export async function openDockerExec(docker: Docker, containerId: string, spec: ExecSpec, sink: ExecSink): Promise<ContainerExec> {
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await docker.getContainer(containerId).exec({
      Cmd: spec.command,
      AttachStdin: spec.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: spec.tty,
    });
    stream = (await exec.start({ hijack: true, stdin: spec.stdin, Tty: spec.tty })) as Duplex;
  } catch (err) {
    throw classifyDockerError(err, CannotExecError);
  }
  if (spec.tty && spec.cols > 0 && spec.rows > 0) await exec.resize({ w: spec.cols, h: spec.rows }).catch(() => undefined);
  const demux = new FrameDemuxer();
  let ended = false;
  const finish = async (error?: string) => {
    if (ended) return;
    ended = true;
    if (error) return sink.exit(-1, error);
    try {
      sink.exit(await exitCodeOf(exec));
    } catch (err) {
      sink.exit(-1, `the command's exit code could not be read: ${dockerMessage(err)}`);
    }
  };
  stream.on("data", (chunk: Buffer) => {
    if (ended) return;
    if (spec.tty) sink.output("stdout", chunk);
    else for (const f of demux.push(chunk)) sink.output(f.stream, f.data);
  });
  stream.on("end", () => void finish());
  stream.on("close", () => void finish());
  stream.on("error", (err: Error) => void finish(`the exec's connection to Docker failed: ${err.message}`));
  return {
    write: (data, written) => {
      if (ended || !spec.stdin) return written();
      stream.write(data, () => written());
    },
    // A half-close: Docker reads it as the end of stdin and closes the command's.
    closeStdin: () => {
      if (!ended && spec.stdin) stream.end();
    },
    resize: async (cols, rows) => {
      if (spec.tty && cols > 0 && rows > 0) await exec.resize({ w: cols, h: rows });
    },
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    close: () => {
      stream.destroy();
      void finish("cancelled");
    },
  };
}

/** The exec's exit code, waiting briefly for Docker to record it after the output closed. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  const deadline = Date.now() + exitWaitMs;
  for (;;) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
    if (Date.now() > deadline) throw new Error(`the command still runs ${exitWaitMs} ms after its output closed`);
    await new Promise((r) => setTimeout(r, exitPollMs));
  }
}
