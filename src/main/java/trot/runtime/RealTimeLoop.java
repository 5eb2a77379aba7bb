package trot.runtime;

import trot.agent.Learner;
import trot.agent.UpdateReport;
import trot.env.Environment;
import trot.env.Pacer;
import trot.env.RealTime;
import trot.replay.ReplayBuffer;
import trot.replay.ReplayLog;
import trot.util.Rng;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The real-time schedule: the world keeps the time, learning keeps up as it can.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>Control</b> ({@code trot-control}, non-daemon, maximum priority): per period, act with the newest
 *       published policy (or a uniform random action during the first {@code randomSteps}), {@code env.step} (which
 *       sends the command and waits for the next period: {@link Pacer}), offer the transition to the
 *       {@link TransitionRing}. It never waits on the learner: no lock, a ring it cannot fill in practice (a full one
 *       drops and counts), a {@link PolicyMailbox} read that gives up rather than waits.</li>
 *   <li><b>Learner</b> ({@code trot-rt-learner}): drains the ring into the {@link ReplayBuffer} (and the
 *       {@link ReplayLog}), and calls {@link Learner#update} (G critic updates, one actor and one temperature update)
 *       while {@code calls < eligible}, eligible being the transitions collected after the random steps; after each
 *       call it publishes the policy. The learner's own worker threads are unchanged.</li>
 * </ul>
 * One {@code update} call is G critic updates, so the achieved update-to-data ratio is
 * {@code UTD = G * calls / steps} (per episode: the calls made during it, which may exceed G when the learner
 * catches up a backlog; overall it is at most G).
 *
 * <h2>Episode boundaries</h2>
 * Between episodes the control thread pauses the learner (it waits for the update in progress, then the ring is
 * drained), calls {@link Hooks#episodeEnded} (rows, snapshots, evaluations: the learner and buffer are quiet), resumes
 * the learner and resets the world. A robot is not in a control period between episodes, so this wait costs no
 * deadline; the {@link PeriodicPacer}, when the world's pacer is one, is restarted so that the reset is not an overrun.
 *
 * <h2>Ending</h2>
 * A stop request (checked every period), an exception from {@code env.step} and a failure of the learner thread
 * (any exception, a {@code DivergenceException} from {@link Hooks#checkUpdate}) end the loop at the next period.
 * For a stop or a world failure the partial episode is booked, the learner paused and {@link Hooks#stopping} called
 * (a snapshot); for a learner failure nothing is written (the last good snapshot stays). In every case the world is
 * closed ({@link Environment#close}: a robot damps) and the learner thread ended; the failure is rethrown.
 */
public final class RealTimeLoop {

    /** What the trainer does at the loop's moments. Only {@link #checkUpdate} runs on the learner thread. */
    public interface Hooks {
        /** Control thread, before an action is sent: throw to stop (a non-finite action). Must not allocate. */
        void checkAction(float[] action, long step);

        /** Learner thread, after each update: throw to stop (a non-finite loss). Must not allocate. */
        void checkUpdate(UpdateReport report, long step);

        /** Control thread, after every period. Must not allocate. */
        void stepped(long step, boolean warmingUp);

        /** Control thread, learner paused and ring drained: an episode ended (or was cut by a stop). */
        void episodeEnded(Episode episode) throws IOException;

        /** Control thread, learner paused: the run stops early at {@code step} (a stop request, or {@code cause}). */
        void stopping(long step, Throwable cause) throws IOException;

        /** Control thread, learner paused: the last step was taken (final evaluation, snapshot). */
        void finished(long step) throws IOException;
    }

    /** One episode's bookkeeping, reused. Losses are sums over the episode's update calls. */
    public static final class Episode {
        public long step, number, length, calls, criticUpdates, dropped, policyVersion, tornReads;
        public double episodeReturn, utd, sumCritic, sumActor, sumEntropy, sumQ, sumUpdate_s;
        public float alpha;
        public boolean terminated, cut;
        /** The pacer's statistics over the episode (zeros when the world's pacer is not a {@link PeriodicPacer}). */
        public final PacerStats pacer = new PacerStats();
    }

    /**
     * What the whole loop did: {@code utd = criticUpdates / eligible}, eligible being the steps collected after the
     * random steps (those on which the synchronous schedule updates), so at most G.
     */
    public record Totals(long steps, long calls, long criticUpdates, double utd, long dropped, long policyVersion,
                         boolean stopped, PacerStats pacer) {
    }

    private final Environment env;
    private final Pacer pacer;
    private final PeriodicPacer periodic;
    private final Learner learner;
    private final ReplayBuffer replay;
    private final ReplayLog log;
    private final Rng explore;
    private final long steps, randomSteps;
    private final int g;
    private final Rollout rollout;
    private final TransitionRing ring;
    private final PolicyMailbox mailbox;
    private final ControlPolicy policy;
    private final Episode episode = new Episode();

    // Learner thread state; read by the control thread only while the learner is paused.
    private long collected, eligible, calls, callsInEpisode, version;
    private double sumCritic, sumActor, sumEntropy, sumQ, sumUpdate;
    private float alpha;
    private final TransitionRing.Transition slot;

    private volatile boolean quit, pauseWanted;
    private volatile long pauseGeneration, pauseAck;
    private volatile Throwable learnerFailure;
    private volatile long lastStep;

    /**
     * @param env         a {@link RealTime} world (its pacer keeps the time)
     * @param log         the crash-safe log of every stored transition, or null
     * @param explore     the generator of the random warm-up actions
     * @param actingNoise the control policy's own exploration noise
     * @param steps       the step to stop after (a run's total)
     * @param randomSteps steps with uniform random actions and no learning
     * @param ringCapacity transitions the ring holds (a power of two)
     */
    public RealTimeLoop(Environment env, Learner learner, ReplayBuffer replay, ReplayLog log, Rng explore, Rng actingNoise,
                        long steps, long randomSteps, int ringCapacity) {
        if (!(env instanceof RealTime rt)) {
            throw new IllegalArgumentException("RealTimeLoop: " + env.spec().name() + " does not run in real time (it is not"
                    + " trot.env.RealTime); step it with the synchronous schedule");
        }
        if (steps < 0 || randomSteps < 0) {
            throw new IllegalArgumentException("RealTimeLoop: steps and random steps must not be negative, got " + steps
                    + " and " + randomSteps);
        }
        this.env = env;
        this.pacer = rt.pacer();
        this.periodic = pacer instanceof PeriodicPacer p ? p : null;
        this.learner = learner;
        this.replay = replay;
        this.log = log;
        this.explore = explore;
        this.steps = steps;
        this.randomSteps = randomSteps;
        this.g = learner.config().updatesPerStep();
        int no = env.spec().observationSize(), na = env.spec().actionSize();
        this.rollout = new Rollout(env);
        this.ring = new TransitionRing(ringCapacity, no, na);
        this.slot = new TransitionRing.Transition(no, na);
        this.mailbox = new PolicyMailbox(learner.policyParams());
        this.policy = new ControlPolicy(no, na, learner.config().hidden(), learner.policyParams(), mailbox, actingNoise);
    }

    private static final System.Logger LOG = System.getLogger("trot.runtime");
    private int fifoPriority;

    /**
     * Runs the control thread under SCHED_FIFO at {@code priority} (1..99; 0, the default, leaves it ordinary; see
     * {@link RealTimePriority}). A failure is logged and the loop runs anyway.
     */
    public RealTimeLoop fifoPriority(int priority) {
        if (priority < 0 || priority > 99) {
            throw new IllegalArgumentException("RealTimeLoop: the SCHED_FIFO priority is 0 (off) or 1..99, got " + priority);
        }
        this.fifoPriority = priority;
        return this;
    }

    /** The control thread's policy (for evaluations in {@link Hooks#episodeEnded}, on the control thread). */
    public ControlPolicy policy() {
        return policy;
    }

    /** The rollout the control thread steps (its episode bookkeeping). */
    public Rollout rollout() {
        return rollout;
    }

    /** The pacer of the world. */
    public Pacer pacer() {
        return pacer;
    }

    /**
     * Runs steps {@code fromStep + 1 .. steps} on a control thread and a learner thread and waits for both.
     *
     * @param episodesBefore episodes booked before {@code fromStep} (numbering continues)
     * @param stop           polled by the control thread every period: true stops the run
     * @throws IOException    from the hooks
     * @throws RuntimeException the world's or the learner's failure, rethrown after the loop stopped
     */
    public Totals run(long fromStep, long episodesBefore, BooleanSupplier stop, Hooks hooks) throws IOException {
        if (this.hooks != null) {
            throw new IllegalStateException("RealTimeLoop.run: a loop runs once");
        }
        this.hooks = hooks;
        Thread learnerThread = new Thread(this::learn, "trot-rt-learner");
        learnerThread.setDaemon(true);
        final Throwable[] controlFailure = new Throwable[1];
        final boolean[] stopped = new boolean[1];
        Thread control = new Thread(() -> {
            if (fifoPriority > 0) {
                String why = RealTimePriority.applyToCurrentThread(fifoPriority);
                LOG.log(System.Logger.Level.INFO, why == null ? "control thread: SCHED_FIFO priority " + fifoPriority
                        : "control thread: ordinary scheduling (" + why + ")");
            }
            try {
                stopped[0] = control(fromStep, episodesBefore, stop, hooks);
            } catch (Throwable t) {
                controlFailure[0] = t;
            }
        }, "trot-control");
        control.setDaemon(false);
        control.setPriority(Thread.MAX_PRIORITY);
        learnerThread.start();
        control.start();
        try {
            boolean interrupted = false;
            while (true) {
                try {
                    control.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    quit = true; // the control loop sees the learner gone and stops at its next period
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            quit = true;
            LockSupport.unpark(learnerThread);
            try {
                learnerThread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Throwable f = controlFailure[0];
        if (f instanceof IOException io) {
            throw io;
        } else if (f instanceof RuntimeException re) {
            throw re;
        } else if (f instanceof Error err) {
            throw err;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
        PacerStats total = new PacerStats();
        if (periodic != null) {
            periodic.totalStats(total);
        }
        return new Totals(lastStep, calls, calls * g, eligible == 0 ? 0 : (double) (calls * g) / eligible, ring.dropped(),
                version, stopped[0], total);
    }

    /** The control thread. Returns whether it stopped early on a request. */
    private boolean control(long fromStep, long episodesBefore, BooleanSupplier stop, Hooks hooks) throws IOException {
        final float[] obs = rollout.observation(), action = rollout.action();
        final int na = action.length;
        long step = fromStep;
        lastStep = step;
        episode.number = episodesBefore;
        RuntimeException worldFailure = null;
        boolean episodeDone = false;
        boolean stopRequested = false;
        try {
            episodeDone = true; // the first period resets
            while (step < steps) {
                if (learnerFailure != null || quit) {
                    break;
                }
                if (episodeDone) {
                    restartPacer();
                    try {
                        rollout.reset();
                    } catch (RuntimeException e) {
                        worldFailure = e;
                        break;
                    }
                    episodeDone = false;
                    drainPacer();
                }
                if (stop.getAsBoolean()) {
                    stopRequested = true;
                    break;
                }
                final long next = step + 1;
                final boolean warmingUp = next <= randomSteps;
                if (warmingUp) {
                    explore.fillUniform(action, 0, na, -1f, 1f);
                } else {
                    policy.refresh();
                    policy.act(obs, action, false);
                    hooks.checkAction(action, next);
                }
                try {
                    rollout.step();
                } catch (RuntimeException e) {
                    worldFailure = e;
                    break;
                }
                step = next;
                lastStep = step;
                var r = rollout.result();
                boolean poisoned = !finite(r.reward, r.observation);
                if (!poisoned) {
                    ring.offer(step, obs, action, r.reward, r.observation, r.terminated);
                }
                rollout.advance();
                hooks.stepped(step, warmingUp);
                if (rollout.done() || poisoned) {
                    boundary(step, false, hooks);
                    episodeDone = true; // the next period resets, unless the run ends first
                }
            }
            if (learnerFailure != null) {
                return false; // nothing is written: the last good snapshot stays
            }
            if (worldFailure != null || stopRequested || quit) {
                if (!pauseLearner()) {
                    return false;
                }
                if (rollout.length() > 0 && !episodeDone) {
                    bookEpisode(step, true);
                    hooks.episodeEnded(episode);
                }
                hooks.stopping(step, worldFailure);
                return true;
            }
            if (!pauseLearner()) {
                return false;
            }
            hooks.finished(step);
            return false;
        } finally {
            quit = true;
            try {
                env.close();
            } catch (RuntimeException e) {
                if (worldFailure != null) {
                    worldFailure.addSuppressed(e);
                }
            }
            Throwable lf = learnerFailure;
            if (lf != null) {
                rethrow(lf);
            }
            if (worldFailure != null) {
                throw worldFailure;
            }
        }
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("the learner thread failed: " + t, t);
    }

    private void boundary(long step, boolean cut, Hooks hooks) throws IOException {
        if (!pauseLearner()) {
            return; // the learner failed: the loop stops without writing
        }
        bookEpisode(step, cut);
        hooks.episodeEnded(episode);
        resumeLearner();
    }

    private void bookEpisode(long step, boolean cut) {
        Episode e = episode;
        e.step = step;
        e.number++;
        e.length = rollout.length();
        e.episodeReturn = rollout.episodeReturn();
        e.terminated = rollout.result().terminated && !cut;
        e.cut = cut;
        e.calls = callsInEpisode;
        e.criticUpdates = callsInEpisode * g;
        e.utd = e.length == 0 ? 0 : (double) e.criticUpdates / e.length;
        e.sumCritic = sumCritic;
        e.sumActor = sumActor;
        e.sumEntropy = sumEntropy;
        e.sumQ = sumQ;
        e.sumUpdate_s = sumUpdate;
        e.alpha = alpha;
        e.dropped = ring.dropped();
        e.policyVersion = policy.version();
        e.tornReads = policy.tornReads();
        if (periodic != null) {
            periodic.drainStats(e.pacer);
        }
        callsInEpisode = 0;
        sumCritic = sumActor = sumEntropy = sumQ = sumUpdate = 0;
    }

    private void restartPacer() {
        if (periodic != null) {
            periodic.restart();
        }
    }

    private final PacerStats discard = new PacerStats();

    /** Forgets what the pacer measured outside episodes (a reset, an evaluation). */
    private void drainPacer() {
        if (periodic != null) {
            periodic.drainStats(discard);
        }
    }

    private static boolean finite(float reward, float[] next) {
        if (!Float.isFinite(reward)) {
            return false;
        }
        for (float v : next) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** Control thread: waits (outside any control period) until the learner finished its update and drained the ring. */
    private boolean pauseLearner() {
        long gen = pauseGeneration + 1;
        pauseGeneration = gen;
        pauseWanted = true;
        while (pauseAck != gen && learnerFailure == null && !learnerGone) {
            LockSupport.parkNanos(50_000);
        }
        return pauseAck == gen && learnerFailure == null;
    }

    private void resumeLearner() {
        pauseWanted = false;
    }

    private volatile boolean learnerGone;

    /** The learner thread. */
    private void learn() {
        try {
            while (!quit) {
                drain();
                if (pauseWanted) {
                    long gen = pauseGeneration;
                    drain();
                    pauseAck = gen;
                    // A new request (resume then pause again at once) is a new generation: acknowledge it too.
                    while (pauseWanted && pauseGeneration == gen && !quit) {
                        LockSupport.parkNanos(100_000);
                    }
                    continue;
                }
                if (calls < eligible && replay.size() > 0) {
                    UpdateReport r = learner.update(replay);
                    calls++;
                    callsInEpisode++;
                    long at = lastStep;
                    hooks.checkUpdate(r, at);
                    sumCritic += r.criticLoss;
                    sumActor += r.actorLoss;
                    sumEntropy += r.entropy;
                    sumQ += r.meanQ;
                    sumUpdate += r.seconds;
                    alpha = (float) r.alpha;
                    version++;
                    mailbox.publish(learner.policyParams(), version);
                } else {
                    LockSupport.parkNanos(200_000);
                }
            }
        } catch (Throwable t) {
            learnerFailure = t;
        } finally {
            learnerGone = true;
        }
    }

    /** Set by {@link #run} before the threads start. */
    private Hooks hooks;

    private void drain() throws IOException {
        while (ring.poll(slot)) {
            try {
                replay.add(slot.observation, slot.action, slot.reward, slot.next, slot.terminated);
            } catch (IllegalArgumentException e) {
                continue; // counted by the buffer (the control thread already ends a poisoned episode)
            }
            if (log != null) {
                log.append(slot.step, slot.observation, slot.action, slot.reward, slot.next, slot.terminated);
            }
            collected++;
            if (slot.step > randomSteps) {
                eligible++;
            }
        }
    }

    /** Transitions the learner thread stored (tests). */
    public long collected() {
        return collected;
    }
}
