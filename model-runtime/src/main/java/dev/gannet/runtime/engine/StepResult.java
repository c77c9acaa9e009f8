package dev.gannet.runtime.engine;

/**
 * What the runner returns for one step.
 *
 * @param sampledTokens (numSampled) the next token of each row listed in
 *                      {@link SchedulerOutput#logitRows()}, in that order
 */
public record StepResult(int[] sampledTokens) {
    public StepResult {
        if (sampledTokens == null) {
            throw new IllegalArgumentException("StepResult.sampledTokens is null");
        }
        for (int t : sampledTokens) {
            if (t < 0) {
                throw new IllegalArgumentException("StepResult.sampledTokens holds a negative token id " + t);
            }
        }
    }
}
