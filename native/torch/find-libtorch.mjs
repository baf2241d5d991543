#!/usr/bin/env node
// Finds libtorch for the addon build, in this order:
//   1. LIBTORCH=<folder>        a libtorch folder (include/, lib/), e.g. the CUDA build PyTorch publishes
//   2. LIBTORCH_USE_PYTORCH=1    the torch inside python3 (paths and C++ ABI read from it)
//   3. the system's              Debian/Ubuntu libtorch-dev
// Prints one field for binding.gyp: `include`, `libdir`, `libs`, `abi`, `defines`; `json` prints all.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const INSTALL_HINT =
  "libtorch not found. Install it with:\n" +
  "  apt-get install -y --no-install-recommends libtorch-dev libopenblas0-pthread   (Debian/Ubuntu, CPU)\n" +
  "or point to one: LIBTORCH=/path/to/libtorch (a folder with include/ and lib/), or LIBTORCH_USE_PYTORCH=1 (the torch of python3).";

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The C++11 string ABI a libc10 was built with: its mangled names say so. */
function abiOfLibrary(libdir) {
  const name = readdirSync(libdir).find((f) => /^libc10\.so(\.|$)/.test(f));
  if (!name) fail(`${libdir}: no libc10.so\n${INSTALL_HINT}`);
  return readFileSync(join(libdir, name)).includes("__cxx11") ? 1 : 0;
}

function fromFolder(root) {
  const include = [join(root, "include"), join(root, "include", "torch", "csrc", "api", "include")];
  const libdir = join(root, "lib");
  if (!existsSync(join(include[0], "ATen")) || !existsSync(libdir))
    fail(`LIBTORCH=${root} has no include/ATen or lib/\n${INSTALL_HINT}`);
  return { source: `LIBTORCH=${root}`, include, libdir, abi: abiOfLibrary(libdir) };
}

function fromPython() {
  const python = process.env.PYTHON ?? "python3";
  const script =
    "import json, torch\nfrom torch.utils import cpp_extension as c\n" +
    "print(json.dumps({'include': c.include_paths(), 'libdir': c.library_paths()[0], 'abi': int(torch._C._GLIBCXX_USE_CXX11_ABI), 'version': torch.__version__}))";
  let out;
  try {
    out = execFileSync(python, ["-c", script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    fail(
      `LIBTORCH_USE_PYTORCH=1 but '${python} -c "import torch"' failed: ${String(err.stderr ?? err.message)
        .trim()
        .split("\n")
        .pop()}\n${INSTALL_HINT}`,
    );
  }
  const info = JSON.parse(out.trim().split("\n").pop());
  return {
    source: `python torch ${info.version}`,
    include: info.include,
    libdir: info.libdir,
    abi: info.abi,
  };
}

function fromSystem() {
  const candidates = [
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
  ];
  const libdir = candidates.find(
    (d) => existsSync(join(d, "libtorch.so")) && existsSync(join(d, "libc10.so")),
  );
  const base = ["/usr/include", "/usr/local/include"].find((d) => existsSync(join(d, "ATen", "ATen.h")));
  if (!libdir || !base) fail(INSTALL_HINT);
  return {
    source: "system",
    include: [base, join(base, "torch", "csrc", "api", "include")],
    libdir,
    abi: abiOfLibrary(libdir),
  };
}

function find() {
  const found = process.env.LIBTORCH
    ? fromFolder(process.env.LIBTORCH)
    : process.env.LIBTORCH_USE_PYTORCH === "1"
      ? fromPython()
      : fromSystem();
  const has = (lib) => existsSync(join(found.libdir, `lib${lib}.so`));
  const libs = ["torch", "torch_cpu", "c10"];
  const cuda = has("torch_cuda") && has("c10_cuda");
  if (cuda) libs.push("torch_cuda", "c10_cuda");
  return { ...found, libs, cuda, ...distributed(found, cuda) };
}

/**
 * The c10d backends the addon can compile (native/torch/src/distributed.cc). Gloo: its headers (Debian's
 * libgloo-dev, or include/gloo of a PyTorch libtorch, where Gloo is inside libtorch_cpu). NCCL: only a CUDA
 * libtorch whose torch_cuda holds ProcessGroupNCCL, with nccl.h (NCCL_INCLUDE_DIR, CUDA_HOME/include,
 * the libtorch's include, or /usr/include).
 */
function distributed(found, cuda) {
  const dirs = [...found.include, "/usr/include", "/usr/local/include"];
  const c10d = dirs.some((d) =>
    existsSync(join(d, "torch", "csrc", "distributed", "c10d", "ProcessGroup.hpp")),
  );
  const gloo = c10d && dirs.some((d) => existsSync(join(d, "gloo", "algorithm.h")));
  const glooLib = ["/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", found.libdir].find(
    (d) => existsSync(join(d, "libgloo.so")),
  );
  let nccl = false;
  const ncclInclude = [
    process.env.NCCL_INCLUDE_DIR,
    process.env.CUDA_HOME && join(process.env.CUDA_HOME, "include"),
    ...dirs,
  ]
    .filter(Boolean)
    .find((d) => existsSync(join(d, "nccl.h")));
  if (cuda && c10d && ncclInclude) {
    try {
      const syms = execFileSync("nm", ["-D", "--defined-only", join(found.libdir, "libtorch_cuda.so")], {
        encoding: "utf8",
        maxBuffer: 1 << 30,
        stdio: ["ignore", "pipe", "ignore"],
      });
      nccl = syms.includes("ProcessGroupNCCL");
    } catch {
      nccl = false;
    }
  }
  return { gloo, glooLib: gloo ? (glooLib ?? null) : null, nccl, ncclInclude: nccl ? ncclInclude : null };
}

const info = find();
const field = process.argv[2] ?? "json";
const out = {
  json: () => JSON.stringify(info, null, 2),
  include: () => [...info.include, ...(info.ncclInclude ? [info.ncclInclude] : [])].join(" "),
  libdir: () => info.libdir,
  // --no-as-needed keeps torch_cuda linked although no symbol of it is referenced: it registers CUDA kernels.
  libs: () =>
    [
      "-Wl,--no-as-needed",
      ...info.libs.map((l) => `-l${l}`),
      "-Wl,--as-needed",
      // Debian's Gloo is a library of its own (PyTorch's is inside libtorch_cpu): the headers' inline code needs it.
      ...(info.glooLib ? [`-L${info.glooLib}`, "-lgloo"] : []),
    ].join(" "),
  abi: () => String(info.abi),
  defines: () =>
    [
      `_GLIBCXX_USE_CXX11_ABI=${info.abi}`,
      ...(info.cuda ? ["AZ_WITH_CUDA=1"] : []),
      ...(info.gloo ? ["AZ_WITH_GLOO=1"] : []),
      ...(info.nccl ? ["AZ_WITH_NCCL=1"] : []),
    ].join(" "),
}[field];
if (!out) fail(`unknown field ${field}`);
process.stdout.write(`${out()}\n`);
