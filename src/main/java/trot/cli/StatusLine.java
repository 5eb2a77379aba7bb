package trot.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The training status line, fitted to a width: a pure function from {@link Fields} and a width in columns to a string
 * of at most that many characters (all ASCII, so characters are columns). {@link StatusDisplay} draws it on the
 * terminal; this class knows nothing of terminals or clocks, so it is tested on its own.
 *
 * <p>At full width the line shows, in order: the percentage, a bar, steps done / total, speed, elapsed time, the time
 * estimate (from the learning steps' rate: {@link LearningEta}), episodes, the last training return, the last
 * evaluation return, the temperature, the critic loss and the update time. As the width shrinks it first switches
 * every field to its short form, then drops fields from the least useful (update time) to the most, narrowing the bar
 * as it goes (from {@value #BAR_MAX} columns down to {@value #BAR_MIN}); then the bar goes, then the estimate; the
 * percentage and the steps stay; below them the line is cut at the width.
 */
final class StatusLine {
    private StatusLine() {
    }

    /**
     * What the line shows. Unknown values are NaN (shown as {@code --}).
     *
     * @param step                steps done
     * @param totalSteps          steps of the run
     * @param warmingUp           still in the random-action phase (no learning)
     * @param stepsPerSecond      recent environment steps per second
     * @param elapsed_s           wall-clock seconds since the run started
     * @param eta_s               seconds left, estimated from the learning steps (NaN before it is known)
     * @param learningIn_s        during the random-action phase: seconds until learning starts (NaN unknown)
     * @param episodes            finished training episodes
     * @param lastEpisodeReturn   return of the last training episode
     * @param lastEvalReturn      mean return of the last evaluation
     * @param alpha               the temperature
     * @param criticLoss          the last critic loss
     * @param update_ms           the last learner update's time, ms
     */
    record Fields(long step, long totalSteps, boolean warmingUp, double stepsPerSecond, double elapsed_s, double eta_s,
                  double learningIn_s, long episodes, double lastEpisodeReturn, double lastEvalReturn, double alpha,
                  double criticLoss, double update_ms) {
    }

    /** The narrowest and widest bar (brackets included), columns. */
    static final int BAR_MIN = 7, BAR_MAX = 32;

    /** One field: its long and short forms and its rank (lower is dropped later). */
    private record Field(String full, String brief, int rank) {
    }

    /**
     * The line for {@code f} in at most {@code width} columns ({@code width} below 1 gives the empty string).
     */
    static String render(Fields f, int width) {
        if (width < 1) {
            return "";
        }
        List<Field> head = new ArrayList<>(), tail = new ArrayList<>();
        double fraction = f.totalSteps() > 0 ? Math.min(1.0, Math.max(0.0, f.step() / (double) f.totalSteps())) : 0;
        String percent = String.format(Locale.ROOT, "%3d%%", (int) Math.floor(100 * fraction));
        String steps = f.step() + "/" + f.totalSteps();
        head.add(new Field(steps + " steps", steps, 0));
        head.add(new Field(number("%.1f", f.stepsPerSecond()) + " steps/s", number("%.1f", f.stepsPerSecond()) + "/s", 5));
        head.add(new Field("elapsed " + duration(f.elapsed_s()), "elapsed " + duration(f.elapsed_s()), 7));
        head.add(new Field("eta " + duration(f.eta_s()), "eta " + duration(f.eta_s()), 1));
        if (f.warmingUp()) {
            String in = duration(f.learningIn_s());
            tail.add(new Field("random actions, learning in " + in, "random " + in, 2));
            tail.add(new Field("return " + number("%.1f", f.lastEpisodeReturn()), "ret " + number("%.1f", f.lastEpisodeReturn()), 4));
        } else {
            tail.add(new Field("episode " + f.episodes(), "ep " + f.episodes(), 8));
            tail.add(new Field("return " + number("%.1f", f.lastEpisodeReturn()), "ret " + number("%.1f", f.lastEpisodeReturn()), 4));
            tail.add(new Field("eval " + number("%.1f", f.lastEvalReturn()), "eval " + number("%.1f", f.lastEvalReturn()), 3));
            tail.add(new Field("alpha " + number("%.3f", f.alpha()), "a " + number("%.3f", f.alpha()), 6));
            tail.add(new Field("critic loss " + number("%.3g", f.criticLoss()), "loss " + number("%.3g", f.criticLoss()), 9));
            tail.add(new Field("update " + number("%.1f", f.update_ms()) + " ms", "upd " + number("%.1f", f.update_ms()) + "ms", 10));
        }
        List<Field> all = new ArrayList<>(head);
        all.addAll(tail);
        // Try: full forms; short forms; then drop the highest rank one by one (short forms), each with the widest bar
        // that fits; a bar narrower than BAR_MIN is left out rather than drawn as a stub.
        boolean[] dropped = new boolean[all.size()];
        for (boolean brief : new boolean[]{false, true}) {
            String line = fit(percent, fraction, all, dropped, brief, width);
            if (line != null) {
                return line;
            }
        }
        // Drop fields while they are less useful than the bar (rank above 1); then the bar before the estimate.
        while (true) {
            int worst = worst(all, dropped);
            if (worst < 0 || all.get(worst).rank() <= 1) {
                break;
            }
            dropped[worst] = true;
            String line = fit(percent, fraction, all, dropped, true, width);
            if (line != null) {
                return line;
            }
        }
        while (true) {
            String bare = percent + " " + join(all, dropped, true);
            int worst = worst(all, dropped);
            if (bare.length() <= width || worst < 0) {
                return bare.length() <= width ? bare : bare.substring(0, width);
            }
            dropped[worst] = true;
        }
    }

    /** The droppable field (rank above 0) of the highest rank still shown, or -1. */
    private static int worst(List<Field> all, boolean[] dropped) {
        int worst = -1;
        for (int i = 0; i < all.size(); i++) {
            if (!dropped[i] && all.get(i).rank() > 0 && (worst < 0 || all.get(i).rank() > all.get(worst).rank())) {
                worst = i;
            }
        }
        return worst;
    }

    /** The line with the widest bar from BAR_MIN to BAR_MAX that fits, or null when even BAR_MIN does not. */
    private static String fit(String percent, double fraction, List<Field> all, boolean[] dropped, boolean brief, int width) {
        String rest = join(all, dropped, brief);
        int fixed = percent.length() + 1 + 1 + rest.length();   // "pct " + bar + " " + rest
        int bar = Math.min(BAR_MAX, width - fixed);
        if (bar < BAR_MIN) {
            return null;
        }
        return percent + " " + bar(fraction, bar) + " " + rest;
    }

    private static String join(List<Field> all, boolean[] dropped, boolean brief) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            if (!dropped[i]) {
                if (b.length() > 0) {
                    b.append(brief ? " " : " | ");
                }
                b.append(brief ? all.get(i).brief() : all.get(i).full());
            }
        }
        return b.toString();
    }

    /** {@code [=====>    ]} of {@code width} columns, brackets included. */
    static String bar(double fraction, int width) {
        int inside = width - 2;
        int done = (int) Math.floor(fraction * inside);
        StringBuilder b = new StringBuilder(width).append('[');
        for (int i = 0; i < inside; i++) {
            b.append(i < done ? '=' : i == done ? '>' : ' ');
        }
        return b.append(']').toString();
    }

    /** {@code h:mm:ss}, or {@code m:ss} under an hour; {@code --} for NaN, infinite or negative. */
    static String duration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return "--";
        }
        long s = Math.round(seconds);
        long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec) : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    private static String number(String format, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "--";
    }
}
