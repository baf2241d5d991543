// Data-parallel collectives on libtorch's own c10d engine: a process group (Gloo on the CPU, NCCL on
// CUDA when the libtorch found has it) rendezvoused through a TCPStore at the master's address, and
// in-place allreduce / broadcast / barrier over lists of tensors.
//
// Every collective returns a Promise and waits on a libuv thread (napi async work), never on the JS
// thread: the data loader's prefetch keeps running during an allreduce, and a dead or stalled peer
// ends in a TorchError after the group's timeout instead of a frozen process.
//
// Lists are flattened into buckets (as DistributedDataParallel's 25 MiB buckets), so the ~500
// gradients of a YOLO11 model cost one to a few collective calls, all started before the first wait.
#include "common.h"

#ifdef AZ_WITH_GLOO
#define USE_C10D_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef AZ_WITH_NCCL
#define USE_C10D_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace az {
namespace {

using Millis = std::chrono::milliseconds;

struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  std::string backend;
  int rank = 0;
  int size = 1;
  Millis timeout{0};
};

// Groups by id. Deliberately never freed at process exit: a group whose peer died may still have a
// Gloo thread blocked in a socket, and its destructor would join that thread and hang the exit.
// Touched only on JS threads (each Node worker thread its own), under this lock.
std::mutex groups_mutex;
std::map<int64_t, std::shared_ptr<Group>>& Groups() {
  static auto* groups = new std::map<int64_t, std::shared_ptr<Group>>();
  return *groups;
}
int64_t next_group_id = 1;

std::shared_ptr<Group> FindGroup(const Napi::CallbackInfo& info, size_t i) {
  int64_t id = ArgInt(info, i);
  std::lock_guard<std::mutex> lock(groups_mutex);
  auto it = Groups().find(id);
  if (it == Groups().end()) throw std::invalid_argument("process group " + std::to_string(id) + " is not initialised (or was destroyed)");
  return it->second;
}

// One collective (or the rendezvous) on a libuv thread; its failure rejects with a TorchError naming it.
class DistWork : public Napi::AsyncWorker {
 public:
  DistWork(Napi::Env env, std::string op, std::function<void()> body, std::function<Napi::Value(Napi::Env)> result)
      : Napi::AsyncWorker(env, op.c_str()), deferred_(Napi::Promise::Deferred::New(env)), op_(std::move(op)),
        body_(std::move(body)), result_(std::move(result)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      at::NoGradGuard no_grad;  // grad mode is thread-local; copies into parameters must not be recorded
      body_();
    } catch (const c10::Error& e) {
      SetError(CleanMessage(e.what_without_backtrace()));
    } catch (const std::exception& e) {
      SetError(CleanMessage(e.what()));
    }
  }

  void OnOK() override { deferred_.Resolve(result_ ? result_(Env()) : Env().Undefined()); }

  void OnError(const Napi::Error& e) override {
    std::string detail = e.Message();
    deferred_.Reject(NewTorchError(Env(), op_ + ": " + detail, op_, "", detail));
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::string op_;
  std::function<void()> body_;
  std::function<Napi::Value(Napi::Env)> result_;
};

Napi::Value Queue(DistWork* w) {
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

std::string OptString(const Napi::Object& o, const char* key, const std::string& def) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : def;
}
int64_t OptInt(const Napi::Object& o, const char* key, int64_t def) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : def;
}
// Argument i as an options object; an empty one when it is absent or not an object.
Napi::Object OptObject(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && info[i].IsObject() ? info[i].As<Napi::Object>() : Napi::Object::New(info.Env());
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

#ifdef AZ_WITH_GLOO
// The interface Gloo listens on: GLOO_SOCKET_IFNAME as in PyTorch, loopback when the master is local
// (one machine), else the address this host's name resolves to.
std::shared_ptr<::gloo::transport::Device> GlooDevice(const std::string& master) {
  const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifname != nullptr && *ifname != '\0') return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (IsLoopback(master)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

// distInit({backend, host, port, rank, worldSize, timeoutMs}) -> Promise<group id>
// Rank 0 hosts the TCPStore and waits for every rank to connect; all ranks then connect to each other.
Napi::Value distInit(const Napi::CallbackInfo& info) {
  return AZ_OP("distInit", {
    if (info.Length() < 1 || !info[0].IsObject()) throw std::invalid_argument("expected an options object");
    Napi::Object o = info[0].As<Napi::Object>();
    auto g = std::make_shared<Group>();
    g->backend = OptString(o, "backend", "gloo");
    std::string host = OptString(o, "host", "127.0.0.1");
    int64_t port = OptInt(o, "port", -1), rank = OptInt(o, "rank", -1), size = OptInt(o, "worldSize", -1);
    int64_t timeout = OptInt(o, "timeoutMs", 1800000);
    if (port < 1 || port > 65535) throw std::invalid_argument("port must be 1-65535");
    if (size < 1 || rank < 0 || rank >= size) throw std::invalid_argument("need 0 <= rank < worldSize");
    if (timeout < 1) throw std::invalid_argument("timeoutMs must be positive");
    if (g->backend != "gloo" && g->backend != "nccl") throw std::invalid_argument("backend must be gloo or nccl, not " + g->backend);
#ifndef AZ_WITH_GLOO
    if (g->backend == "gloo") throw std::runtime_error("this addon was built without Gloo (no gloo headers found; install libgloo-dev and rebuild)");
#endif
#ifndef AZ_WITH_NCCL
    if (g->backend == "nccl") throw std::runtime_error("this addon was built without NCCL (needs a CUDA libtorch with NCCL and nccl.h at build time)");
#endif
    g->rank = static_cast<int>(rank);
    g->size = static_cast<int>(size);
    g->timeout = Millis(timeout);
    auto body = [g, host, port]() {
      c10d::TCPStoreOptions so;
      so.port = static_cast<std::uint16_t>(port);
      so.isServer = g->rank == 0;
      so.numWorkers = static_cast<std::size_t>(g->size);
      so.waitWorkers = true;
      so.timeout = g->timeout;
      g->store = c10::make_intrusive<c10d::TCPStore>(host, so);
#ifdef AZ_WITH_GLOO
      if (g->backend == "gloo") {
        auto opts = c10d::ProcessGroupGloo::Options::create(g->timeout);
        opts->devices.push_back(GlooDevice(host));
        g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, g->rank, g->size, opts);
      }
#endif
#ifdef AZ_WITH_NCCL
      if (g->backend == "nccl") {
        // The group's timeout applies to NCCL collectives only in blocking-wait mode.
        setenv("NCCL_BLOCKING_WAIT", "1", 0);
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = g->timeout;
        g->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(g->store, g->rank, g->size, opts);
      }
#endif
      if (!g->pg) throw std::runtime_error("no process group was made");
    };
    auto result = [g](Napi::Env env) -> Napi::Value {
      std::lock_guard<std::mutex> lock(groups_mutex);
      int64_t id = next_group_id++;
      Groups()[id] = g;
      return Napi::Number::New(env, static_cast<double>(id));
    };
    return Queue(new DistWork(info.Env(), "distInit", body, result));
  });
}

// Tensors grouped by dtype and device, in list order within a group, each bucket up to cap bytes (a
// tensor larger than cap alone). A state dict interleaves float weights with int64 counters
// (num_batches_tracked): grouping by kind, not by run, keeps that to one bucket per kind. The same list
// gives the same buckets on every rank.
std::vector<std::vector<at::Tensor>> Buckets(const std::vector<at::Tensor>& ts, int64_t cap) {
  std::vector<std::vector<at::Tensor>> out;
  std::vector<int64_t> bytes;
  std::map<std::string, size_t> open;  // kind -> index of its bucket being filled
  for (const at::Tensor& t : ts) {
    int64_t b = t.numel() * static_cast<int64_t>(t.element_size());
    std::string kind = std::string(DtypeName(t.scalar_type())) + "@" + DeviceName(t.device());
    auto it = open.find(kind);
    if (it == open.end() || bytes[it->second] + b > cap) {
      out.emplace_back();
      bytes.push_back(0);
      open[kind] = out.size() - 1;
      it = open.find(kind);
    }
    out[it->second].push_back(t);
    bytes[it->second] += b;
  }
  return out;
}

// A bucket as one contiguous tensor: the tensor itself when alone and contiguous (no copy), else a
// flat concatenation copied back by Unflatten.
at::Tensor Flatten(const std::vector<at::Tensor>& bucket) {
  if (bucket.size() == 1 && bucket[0].is_contiguous()) return bucket[0];
  std::vector<at::Tensor> flat;
  flat.reserve(bucket.size());
  for (const at::Tensor& t : bucket) flat.push_back(t.reshape({-1}));
  return at::cat(flat, 0);
}

void Unflatten(const at::Tensor& flat, const std::vector<at::Tensor>& bucket) {
  if (bucket.size() == 1 && flat.is_same(bucket[0])) return;
  int64_t off = 0;
  for (const at::Tensor& t : bucket) {
    at::Tensor part = flat.narrow(0, off, t.numel()).view(t.sizes());
    const_cast<at::Tensor&>(t).copy_(part);
    off += t.numel();
  }
}

void WaitAll(const std::vector<c10::intrusive_ptr<c10d::Work>>& works, Millis timeout) {
  for (const auto& w : works) {
    if (!w->wait(timeout)) throw std::runtime_error("the collective was aborted");
  }
}

using StartCollective = std::function<c10::intrusive_ptr<c10d::Work>(std::vector<at::Tensor>&)>;

// One collective per bucket of ts, all started before the first wait; then each bucket's result (after
// `finish`, when given) is copied back into its tensors.
void RunBucketed(const Group& g, const std::vector<at::Tensor>& ts, int64_t cap, const StartCollective& start,
                 const std::function<void(at::Tensor&)>& finish = nullptr) {
  auto buckets = Buckets(ts, cap);
  std::vector<at::Tensor> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (const auto& b : buckets) {
    flats.push_back(Flatten(b));
    std::vector<at::Tensor> one{flats.back()};
    works.push_back(start(one));
  }
  WaitAll(works, g.timeout);
  for (size_t k = 0; k < buckets.size(); k++) {
    if (finish) finish(flats[k]);
    Unflatten(flats[k], buckets[k]);
  }
}

// The tensors an op works on: the list itself, or (grads: true) each one's gradient. A tensor without a
// gradient is an error, because every rank must reduce the same list in the same order.
std::vector<at::Tensor> Targets(const Napi::CallbackInfo& info, size_t i, bool grads) {
  std::vector<at::Tensor> ts = ArgTensorList(info, i);
  if (!grads) return ts;
  std::vector<at::Tensor> out;
  out.reserve(ts.size());
  for (size_t k = 0; k < ts.size(); k++) {
    at::Tensor g = ts[k].grad();
    if (!g.defined()) throw std::invalid_argument("tensor " + std::to_string(k) + " of the list has no gradient");
    out.push_back(g);
  }
  return out;
}

// distAllreduce(group, tensors, {op: "sum"|"avg", grads?: boolean, bucketBytes?}) -> Promise<void>, in place
Napi::Value distAllreduce(const Napi::CallbackInfo& info) {
  return AZ_OP("distAllreduce", {
    auto g = FindGroup(info, 0);
    Napi::Object o = OptObject(info, 2);
    std::string op = OptString(o, "op", "sum");
    if (op != "sum" && op != "avg") throw std::invalid_argument("op must be sum or avg, not " + op);
    bool grads = o.Get("grads").IsBoolean() && o.Get("grads").As<Napi::Boolean>().Value();
    int64_t cap = OptInt(o, "bucketBytes", 25 << 20);
    std::vector<at::Tensor> ts = Targets(info, 1, grads);
    auto body = [g, ts, op, cap]() {
      c10d::AllreduceOptions ao;
      ao.reduceOp = c10d::ReduceOp::SUM;  // Gloo has no AVG: sum, then divide
      ao.timeout = g->timeout;
      RunBucketed(
          *g, ts, cap, [&](std::vector<at::Tensor>& one) { return g->pg->allreduce(one, ao); },
          [&](at::Tensor& flat) {
            if (op == "avg") flat.div_(g->size);
          });
    };
    return Queue(new DistWork(info.Env(), "distAllreduce", body, nullptr));
  });
}

// distBroadcast(group, tensors, root, {bucketBytes?}) -> Promise<void>: root's values into every rank's tensors
Napi::Value distBroadcast(const Napi::CallbackInfo& info) {
  return AZ_OP("distBroadcast", {
    auto g = FindGroup(info, 0);
    std::vector<at::Tensor> ts = ArgTensorList(info, 1);
    int64_t root = ArgInt(info, 2, 0);
    if (root < 0 || root >= g->size) throw std::invalid_argument("root must be a rank of the group");
    Napi::Object o = OptObject(info, 3);
    int64_t cap = OptInt(o, "bucketBytes", 25 << 20);
    auto body = [g, ts, root, cap]() {
      c10d::BroadcastOptions bo;
      bo.rootRank = root;
      bo.timeout = g->timeout;
      RunBucketed(*g, ts, cap, [&](std::vector<at::Tensor>& one) { return g->pg->broadcast(one, bo); });
    };
    return Queue(new DistWork(info.Env(), "distBroadcast", body, nullptr));
  });
}

// distBarrier(group) -> Promise<void>
Napi::Value distBarrier(const Napi::CallbackInfo& info) {
  return AZ_OP("distBarrier", {
    auto g = FindGroup(info, 0);
    auto body = [g]() {
      c10d::BarrierOptions bo;
      bo.timeout = g->timeout;
      WaitAll({g->pg->barrier(bo)}, g->timeout);
    };
    return Queue(new DistWork(info.Env(), "distBarrier", body, nullptr));
  });
}

// distDestroy(group): forget the group. A collective still in flight keeps it alive until it ends.
Napi::Value distDestroy(const Napi::CallbackInfo& info) {
  return AZ_OP("distDestroy", {
    int64_t id = ArgInt(info, 0);
    std::lock_guard<std::mutex> lock(groups_mutex);
    Groups().erase(id);
    return info.Env().Undefined();
  });
}

// distBackends() -> {gloo, nccl}: what this build can run.
Napi::Value distBackends(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
#ifdef AZ_WITH_GLOO
  o.Set("gloo", true);
#else
  o.Set("gloo", false);
#endif
#ifdef AZ_WITH_NCCL
  o.Set("nccl", true);
#else
  o.Set("nccl", false);
#endif
  return o;
}

}  // namespace

void RegisterDistributed(Napi::Env env, Napi::Object exports) {
  Export(env, exports, "distInit", distInit);
  Export(env, exports, "distAllreduce", distAllreduce);
  Export(env, exports, "distBroadcast", distBroadcast);
  Export(env, exports, "distBarrier", distBarrier);
  Export(env, exports, "distDestroy", distDestroy);
  Export(env, exports, "distBackends", distBackends);
}

}  // namespace az
