package dev.kiln.passes.memory;

import dev.kiln.ir.graph.Value;
import java.util.List;
import java.util.Map;

/**
 * Buffers for a graph's intermediates, shared by values whose lifetimes do not overlap.
 *
 * @param buffers       the size in bytes of each buffer (index = buffer id)
 * @param assignment    the buffer of every planned value (values that own storage and are not graph outputs)
 * @param plannedBytes  the sum of the buffers: what a planned execution allocates for intermediates
 * @param unplannedBytes the sum of every planned value's size: what allocating each intermediate afresh costs
 * @param peakLiveBytes the most bytes live at once (a lower bound for any plan)
 */
public record MemoryPlan(List<Long> buffers, Map<Value, Integer> assignment, long plannedBytes, long unplannedBytes,
                         long peakLiveBytes) {
    public MemoryPlan {
        buffers = List.copyOf(buffers);
        assignment = Map.copyOf(assignment);
    }

    @Override
    public String toString() {
        return String.format("%d buffers, planned %d B vs unplanned %d B (peak live %d B)", buffers.size(),
                plannedBytes, unplannedBytes, peakLiveBytes);
    }
}
