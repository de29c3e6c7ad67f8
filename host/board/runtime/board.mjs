// The Node child of `airlab board`: runs MicroPython (the official WebAssembly port from
// npm) for the board process, which owns the serial port, the air and the flash.
//
// fd 3 is a socketpair to the board, framed as host/board/frames.h says; this process reads
// it with blocking fs.readSync, so a bridge call from Python waits for the board's answer
// (the board waits there, on the air's clock, where Ctrl-C can end the wait).
// fd 4 is the read end of a non-blocking pipe: the board writes a byte to it for each
// Ctrl-C while code runs. It is checked whenever a line of output is flushed, and a bridge
// call answered "interrupted" takes its bytes; the interpreter cannot be reached otherwise
// while it runs Python.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

// MicroPython's heap here grows on demand up to WebAssembly's 2 GB; an ESP32 has about
// 110 KB. Capping the module's memory makes a runaway program get MemoryError, as on a board,
// instead of eating the host's RAM (30 boards share it).
const MEMORY_LIMIT = 48 << 20;
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function growWithinLimit(pages) {
  if (this.buffer.byteLength + pages * 65536 > MEMORY_LIMIT) throw new RangeError("board memory limit");
  return grow.call(this, pages);
};
// The runtime reports each refused growth on stderr; the program gets its MemoryError.
const reportError = console.error;
console.error = (...args) => {
  if (!/^(growMemory|Failed to grow the heap)/.test(String(args[0]))) reportError(...args);
};
const { loadMicroPython } = await import("@micropython/micropython-webassembly-pyscript");

const CHANNEL = 3;
const INTERRUPTS = 4;
const OUTPUT_BATCH = 4096;
const LIB = path.join(path.dirname(fileURLToPath(import.meta.url)), "lib");
// Modules of lib/ live in MEMFS here; the flash's VFS serves them at /.frozen (_flashfs.py).
const FROZEN_MEMFS = "/airlab_frozen";

function writeAll(buffer) {
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += fs.writeSync(CHANNEL, buffer, offset);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
    }
  }
}

function send(kind, payload = Buffer.alloc(0)) {
  const header = Buffer.alloc(5);
  header[0] = kind.charCodeAt(0);
  header.writeUInt32LE(payload.length, 1);
  writeAll(Buffer.concat([header, payload]));
}

function readExactly(size) {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    let n;
    try {
      n = fs.readSync(CHANNEL, buffer, offset, size - offset, null);
    } catch (e) {
      if (e.code === "EAGAIN") continue;
      throw e;
    }
    if (n === 0) process.exit(0);  // the board is gone
    offset += n;
  }
  return buffer;
}

function receive() {
  const header = readExactly(5);
  return { kind: String.fromCharCode(header[0]), payload: readExactly(header.readUInt32LE(1)) };
}

// True when Ctrl-C was pressed since the last look; tells the board it was seen.
function takeInterrupts() {
  const scratch = Buffer.alloc(64);
  let count = 0;
  for (;;) {
    try {
      const n = fs.readSync(INTERRUPTS, scratch, 0, scratch.length, null);
      if (n <= 0) break;
      count += n;
    } catch {
      break;  // EAGAIN: nothing (more) waits
    }
  }
  if (count > 0) send("K");
  return count > 0;
}

let output = [];
function flushOutput() {
  if (output.length === 0) return;
  send("O", Buffer.from(output));
  output = [];
}

let mp;
function onOutputByte(bytes) {
  output.push(bytes[0]);
  if (bytes[0] === 10 || output.length >= OUTPUT_BATCH) {
    flushOutput();
    if (takeInterrupts()) mp._module._mp_sched_keyboard_interrupt();
  }
}

// _board_js.call(request): one bridge call; request and answer are JSON text. The board
// answers {"i":1} when a Ctrl-C is pending (without running the handler); the pipe's
// bytes are then taken, and the board told.
function bridgeCall(request) {
  flushOutput();
  send("C", Buffer.from(request));
  for (;;) {
    const frame = receive();
    if (frame.kind !== "A") continue;
    const answer = frame.payload.toString();
    if (answer === '{"i":1}') takeInterrupts();
    return answer;
  }
}

// The kDone payload for code that raised SystemExit (frames.h).
const EXITED = "\x00SystemExit";

// A traceback without the runner's own frame, as the board's REPL would print it.
function tracebackText(error) {
  if (error && error.name === "PythonError") {
    return error.message
      .split("\n")
      .filter((line) => !line.includes('"/.frozen/_boardrt.py"'))
      .join("\n");
  }
  return `airlab: the interpreter failed: ${error}\n`;
}

function loadLib() {
  mp.FS.mkdir(FROZEN_MEMFS);
  for (const name of fs.readdirSync(LIB)) {
    if (name.endsWith(".py")) mp.FS.writeFile(`${FROZEN_MEMFS}/${name}`, fs.readFileSync(path.join(LIB, name)));
  }
  mp.runPython(
    `import sys, vfs\nvfs.umount('/')\nvfs.mount(vfs.VfsPosix('${FROZEN_MEMFS}'), '/.frozen')\n` +
      `sys.path.insert(0, '/.frozen')\nimport _boardinit\n_boardinit.start('${FROZEN_MEMFS}')\n` +
      "del sys, vfs, _boardinit\n",
  );
}

async function main() {
  mp = await loadMicroPython({ stdout: onOutputByte, stderr: onOutputByte, linebuffer: false });
  mp.registerJsModule("_board_js", { call: bridgeCall });
  loadLib();
  const { run, settle } = mp.pyimport("_boardrt");
  send("R");
  for (;;) {
    const frame = receive();
    if (frame.kind !== "X") continue;
    const request = JSON.parse(frame.payload.toString());
    let error = "";
    try {
      if (run(request.code, request.mode, request.file)) error = EXITED;
    } catch (e) {
      error = tracebackText(e);
    }
    try {
      settle();
    } catch {
      // a Ctrl-C that came late; the code has ended anyway
    }
    flushOutput();
    send("D", Buffer.from(error));
  }
}

await main();
