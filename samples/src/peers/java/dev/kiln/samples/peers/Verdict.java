package dev.kiln.samples.peers;

import dev.kiln.eager.Tensor;
import dev.kiln.samples.Comparison;
import java.util.List;

/**
 * The outcome of checking one engine's outputs on one input against a reference.
 *
 * @param input  which input ({@code input0}, {@code input1}, {@code batch 32})
 * @param status {@link Status#OK}, a wrong answer ({@link Status#MISMATCH}) or no answer ({@link Status#FAILED})
 * @param detail for MISMATCH the worst element and max |diff|, for FAILED the exception message; null when OK
 */
public record Verdict(String input, Status status, String detail) {

    public enum Status { OK, MISMATCH, FAILED }

    /** Compares outputs (in order) with the reference within {@code torch.allclose(rtol, atol)}. */
    public static Verdict compare(String input, List<Tensor> actual, List<Tensor> expected, double rtol, double atol) {
        if (actual.size() != expected.size()) {
            return new Verdict(input, Status.MISMATCH, actual.size() + " outputs but expected " + expected.size());
        }
        for (int i = 0; i < actual.size(); i++) {
            Comparison cmp = Comparison.of(actual.get(i), expected.get(i), rtol, atol);
            if (!cmp.withinTolerance()) {
                return new Verdict(input, Status.MISMATCH, "output " + i + ": max|diff| " + cmp.maxAbsDiff() + "; "
                        + cmp.problem());
            }
        }
        return new Verdict(input, Status.OK, null);
    }

    /** The engine raised instead of answering (a refusal such as a failed guard counts here, not as wrong). */
    public static Verdict failed(String input, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = root.getClass().getSimpleName() + ": " + root.getMessage();
        return new Verdict(input, Status.FAILED, msg.replace('\n', ' '));
    }

    public boolean ok() { return status == Status.OK; }

    /** A short table cell: {@code ok}, {@code **MISMATCH on input1**} or {@code failed on input1}. */
    public String cell() {
        return switch (status) {
            case OK -> "ok";
            case MISMATCH -> "**MISMATCH on " + input + "**";
            case FAILED -> "failed on " + input;
        };
    }
}
