{
  "targets": [
    {
      "target_name": "azaion_torch",
      "sources": [
        "src/addon.cc",
        "src/tensor_table.cc",
        "src/args.cc",
        "src/errors.cc",
        "src/ops_creation.cc",
        "src/ops_math.cc",
        "src/ops_reduce.cc",
        "src/ops_index.cc",
        "src/ops_shape.cc",
        "src/ops_nn.cc",
        "src/ops_optim.cc",
        "src/ops_nms.cc",
        "src/runtime.cc",
        "src/distributed.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node find-libtorch.mjs include)"
      ],
      "defines!": ["_GLIBCXX_USE_CXX11_ABI=1"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node find-libtorch.mjs defines)"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "-L<!(node find-libtorch.mjs libdir)",
        "<!@(node find-libtorch.mjs libs)",
        "-Wl,-rpath,<!(node find-libtorch.mjs libdir)",
        "-Wl,-z,now"
      ]
    }
  ]
}
