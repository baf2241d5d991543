"""Stand-in of rknn-toolkit2's rknn.api: records the calls and writes a placeholder model file."""
import json
import os

__version__ = "0.0-stand-in"


class RKNN:
    def __init__(self, verbose=False):
        self.log = {}

    def config(self, **kw):
        self.log["config"] = kw
        return 0

    def load_onnx(self, **kw):
        self.log["load_onnx"] = kw
        return 0

    def build(self, **kw):
        self.log["build"] = kw
        dataset = kw.get("dataset")
        self.log["dataset_lines"] = open(dataset).read().splitlines() if dataset else []
        return 0

    def export_rknn(self, path):
        with open(path, "wb") as f:
            f.write(b"RKNN")
        with open(os.environ["STUB_RKNN_LOG"], "w") as f:
            json.dump(self.log, f)
        return 0

    def release(self):
        pass
