package trot.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import trot.train.Progress;

/**
 * How {@code trot train} and {@code trot robot} show their progress, on standard error:
 * <ul>
 *   <li>{@link Mode#BAR} (a terminal): one line redrawn four times a second, {@link StatusLine} fitted to the
 *       terminal's width minus one column (read at every redraw, so resizing the window refits it; progressbar asks
 *       jline, which falls back to 80 columns when it cannot tell);</li>
 *   <li>{@link Mode#PLAIN} (standard error is not a terminal: a log file, CI): the same line, all fields,
 *       printed as a line of its own every 10 seconds;</li>
 *   <li>{@link Mode#NONE} ({@code --no-progress}): nothing.</li>
 * </ul>
 * The time estimate comes from {@link LearningEta}. progressbar only draws and schedules; the line is ours.
 */
final class StatusDisplay implements AutoCloseable {
    /** Where and how the line is shown. */
    enum Mode { BAR, PLAIN, NONE }

    /** The width of a PLAIN line: wide enough for every field, as a log has no width to fit. */
    static final int PLAIN_WIDTH = 200;

    private final ProgressBar bar;   // null for NONE
    private final LearningEta eta;
    private final long total;
    private volatile StatusLine.Fields fields;
    private boolean closed;

    /**
     * @param total       the run's steps
     * @param randomSteps its random-action steps
     * @param mode        where the line goes
     */
    StatusDisplay(long total, long randomSteps, Mode mode) {
        this.total = total;
        this.eta = new LearningEta(total, randomSteps);
        this.fields = new StatusLine.Fields(0, total, randomSteps > 0, Double.NaN, 0, Double.NaN, Double.NaN, 0,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        if (mode == Mode.NONE) {
            bar = null;
            return;
        }
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                .setRenderer((state, width) -> StatusLine.render(fields, width));
        if (mode == Mode.PLAIN) {
            b.setUpdateIntervalMillis(10_000).setConsumer(new DelegatingProgressBarConsumer(System.err::println, PLAIN_WIDTH));
        } else {
            b.setUpdateIntervalMillis(250);   // the default consumer: the terminal's width - 1, read at every redraw
        }
        this.bar = b.build();
    }

    /** The mode for a run: none when asked, a bar on a terminal, else plain lines. */
    static Mode mode(boolean noProgress) {
        return noProgress ? Mode.NONE : onTerminal() ? Mode.BAR : Mode.PLAIN;
    }

    /**
     * Whether the JVM runs on an interactive terminal. JDK 17 has no console when input or output is redirected; from
     * JDK 22 {@code System.console()} exists even then and {@code Console.isTerminal()} tells.
     */
    static boolean onTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;   // before JDK 22: a console is a terminal
        }
    }

    /** Books the trainer's progress (any thread; called after every step). */
    void update(Progress p) {
        if (bar == null) {
            return;
        }
        synchronized (eta) {
            eta.observe(p.step, p.elapsedSeconds, p.warmingUp);
            fields = new StatusLine.Fields(p.step, total, p.warmingUp, eta.stepsPerSecond(), p.elapsedSeconds,
                    eta.eta_s(), eta.learningIn_s(), p.episodes, p.lastEpisodeReturn, p.lastEvalReturn, p.alpha,
                    p.criticLoss, 1e3 * p.updateSeconds);
        }
        bar.stepTo(p.step);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (bar != null) {
                bar.close();
            }
        }
    }
}
