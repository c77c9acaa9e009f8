package dev.gannet.runtime.cuda;

/**
 * How a GPU stack uses device memory, fixed once it is built (what /metrics reports): summed over the ranks of a
 * tensor-parallel group.
 *
 * @param device        e.g. "cuda:0 NVIDIA H100 80GB HBM3"
 * @param total         device memory of the GPUs used
 * @param usedByOthers  what other processes and the CUDA contexts held before the stack allocated anything
 * @param weights       uploaded weights
 * @param kvCache       the paged KV cache
 * @param activations   step buffers and workspaces
 */
public record DeviceMemory(String device, long total, long usedByOthers, long weights, long kvCache, long activations) {
    public DeviceMemory {
        if (total <= 0 || usedByOthers < 0 || weights < 0 || kvCache < 0 || activations < 0) {
            throw new IllegalArgumentException("device memory figures must be >= 0 (total > 0)");
        }
    }

    /** Everything Gannet allocated. */
    public long used() {
        return weights + kvCache + activations;
    }

    /** The sum of two ranks' figures (same device counted once when {@code sameDevice}). */
    DeviceMemory plus(DeviceMemory o, boolean sameDevice) {
        return new DeviceMemory(device.equals(o.device) ? device : device + ", " + o.device, sameDevice ? total : total + o.total,
                sameDevice ? usedByOthers : usedByOthers + o.usedByOthers, weights + o.weights, kvCache + o.kvCache,
                activations + o.activations);
    }
}
