"""Stand-in of cuda-python's cudart: device memory is a dict of host byte buffers."""
import ctypes

MEMORY = {}


class cudaMemcpyKind:
    cudaMemcpyHostToDevice = 1


def cudaMalloc(nbytes):
    ptr = 0x1000 + 0x100000 * len(MEMORY)
    MEMORY[ptr] = bytearray(nbytes)
    return 0, ptr


def cudaMemcpy(dst, src, nbytes, kind):
    MEMORY[dst][:nbytes] = ctypes.string_at(src, nbytes)
    return (0,)


def cudaFree(ptr):
    MEMORY.pop(ptr, None)
    return (0,)
