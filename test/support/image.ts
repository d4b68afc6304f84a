/**
 * The local test image: Debian's static busybox with every applet linked (sh, sleep, httpd, nc,
 * wget, echo, cat ...), default command `sh`. No registry is reachable, so it is built offline
 * by deploy/build-image.sh (ensureTestImage in ./docker.ts calls it when the image is missing).
 */
export const TEST_IMAGE = "berth-test/busybox:latest";
