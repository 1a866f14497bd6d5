package dev.kiln.codegen.ptx;

/**
 * Grid and block dimensions of one launch (threads per block in x only: every Kiln kernel uses 1-d blocks).
 * Shared memory is static in every generated kernel, so no dynamic size is carried.
 */
public record LaunchConfig(int gridX, int gridY, int gridZ, int blockX) {
    public LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > 65535 || gridZ > 65535 || blockX < 1 || blockX > 1024) {
            throw new IllegalArgumentException("launch: expected grid >= 1 (y, z <= 65535) and 1..1024 threads, found grid "
                    + gridX + "x" + gridY + "x" + gridZ + ", block " + blockX);
        }
    }

    public static LaunchConfig linear(long blocks, int threads) {
        return new LaunchConfig((int) Math.max(1, blocks), 1, 1, threads);
    }
}
