package dev.kiln.runtime.cli;

import dev.kiln.eager.Tensor;
import dev.kiln.eager.interp.GuardFailedException;
import dev.kiln.runtime.InputMismatchException;
import dev.kiln.runtime.LoadedModel;
import java.util.List;

/** Calls a model for a command: inputs that do not fit become exit status 4 with the model's own message. */
final class Calls {
    private Calls() {}

    static List<Tensor> forward(LoadedModel model, Tensor[] inputs) {
        try {
            return model.forward(inputs);
        } catch (InputMismatchException e) {
            throw new CliFailure(ExitStatus.BAD_INPUT, "input does not fit " + model.source() + ": " + e.getMessage());
        } catch (GuardFailedException e) {
            throw new CliFailure(ExitStatus.BAD_INPUT, "input does not fit " + model.source()
                    + " (it takes another path than the traced one): " + e.getMessage());
        }
    }
}
