/*
 * emulator.c: trot-emulator, the emulated robot (software in the loop). It runs the project's firmware core
 * (core/fw.c) against a MuJoCo simulation of the Unitree A1 in real time, 1 ms of physics per 1 ms of wall clock,
 * and serves the firmware's serial line on a pseudo-terminal, through a seeded fault injector. sitl/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "../core/fw.h"
#include "faults.h"
#include "hal_mujoco.h"
#include "pty.h"
#include "video.h"

#define TICK_NS 1000000ull
#define RESYNC_NS 100000000ull /* behind by more than this: give up catching up */

static volatile sig_atomic_t stop_signal = 0;
static void on_signal(int sig) { stop_signal = sig; }

static const char *usage_text =
    "usage: trot-emulator --model FILE [--link PATH] [--seed N] [--faults SPEC] [--fault-seed N]\n"
    "                     [--log-commands FILE] [--duration SECONDS] [--status-every SECONDS]\n"
    "                     [--start standing|lying|side|side-left|side-right|back] [--quiet] [--realtime]\n"
    "                     [--benchmark STEPS] [--video FILE.mp4] [--video-size WxH]\n"
    "                     [--video-quality fast|high] [--joints J1,..,J12 --imu Q,G,A --feet F1,..,F4\n"
    "                     --stand-rad Q1,..,Q12 --torque-limit NM --robot-name NAME] [--help]\n"
    "\n"
    "The emulated Unitree A1: the trot firmware core running on a MuJoCo simulation in real time, its serial\n"
    "line on a pseudo-terminal. The first line printed is 'trot-emulator: serial port <PATH>'; open PATH as\n"
    "the robot's serial port (any baud rate).\n"
    "\n"
    "  --model FILE          MuJoCo model of the A1 (hardware/a1/a1.xml); its timestep must be 1 ms\n"
    "  --link PATH           also make PATH a symlink to the port (replaces a symlink, never a file);\n"
    "                        removed on exit\n"
    "  --seed N              seed of the sensor noise and biases (default 1)\n"
    "  --faults SPEC         fault injector on the line, rates per frame, e.g.\n"
    "                        drop=0.01,corrupt=0.001,duplicate=0.01,delay=0.01:20,reorder=0.01,unplug=0.0005:300\n"
    "                        (delay and unplug take milliseconds after the colon; default none)\n"
    "  --fault-seed N        seed of the fault injector (default: the --seed)\n"
    "  --log-commands FILE   one line per applied command: seq host_time_us crc32c(payload) mode\n"
    "  --duration SECONDS    stop after this much time (default: run until Ctrl-C / SIGTERM)\n"
    "  --status-every SECS   status line on stderr every SECS seconds (default 10; 0 = never)\n"
    "  --start POSE          initial pose, at rest on the floor (default standing); the firmware boots disarmed\n"
    "                        (damping). standing; lying (legs folded, on the belly); side-right, side-left (the\n"
    "                        standing pose rolled onto that side, 90 degrees); side (side-right for an odd --seed,\n"
    "                        side-left for an even one); back (upside down, legs folded up)\n"
    "  --quiet               only the serial port line and the summary on stdout\n"
    "  --realtime            run the loop at real-time priority (SCHED_FIFO 10, memory locked) when allowed\n"
    "                        (root or CAP_SYS_NICE): fewer late ticks on a loaded machine\n"
    "  --benchmark STEPS     no pty, no real time: run STEPS ticks (firmware + physics) as fast as possible\n"
    "                        and print the rate\n"
    "  --video FILE.mp4      record what the robot did: an H.264 video at 30 frames per second of the device\n"
    "                        clock, camera following the trunk (MuJoCo's renderer, headless EGL; ffmpeg encodes;\n"
    "                        a thread of its own renders, so the ticks are not delayed; finished at the stop)\n"
    "  --video-size WxH      frame size of --video (default 640x480, even numbers)\n"
    "  --video-quality Q     fast (default: no shadows or anti-aliasing, keeps up in real time without a GPU)\n"
    "                        or high\n"
    "\n"
    "  A robot other than the A1 (trot emulate --robot FILE gives these from the robot file; all or none):\n"
    "  --joints J1,..,J12    its hinge joints, FR, FL, RR, RL x hip, thigh, calf; each driven by one motor.\n"
    "                        The firmware's joint ranges are then the model's ranges of these joints\n"
    "  --imu Q,G,A           its orientation (framequat), gyro and accelerometer sensors\n"
    "  --feet F1,..,F4       its touch sensors, FR, FL, RR, RL\n"
    "  --stand-rad Q1,..,Q12 its hardware standing pose, the standing start (rad)\n"
    "  --torque-limit NM     the firmware's torque limit (the motors' largest; the model clips each motor)\n"
    "  --robot-name NAME     the name the firmware reports in its handshake (at most 16 characters)\n"
    "  --help                this text\n";

static _Noreturn void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trot-emulator: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s) {
    char *end = NULL;
    errno = 0;
    if (!*s || *s == '-' || *s == '+') fail("%s: '%s' is not a non-negative whole number", opt, s);
    unsigned long long v = strtoull(s, &end, 0);
    if (*end || errno) fail("%s: '%s' is not a non-negative whole number", opt, s);
    return (uint64_t) v;
}

static double parse_seconds(const char *opt, const char *s, int zero_ok) {
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || !isfinite(v) || v < 0 || (!zero_ok && v == 0) || v > 1e9)
        fail("%s: '%s' is not a %s number of seconds", opt, s, zero_ok ? "non-negative" : "positive");
    return v;
}

/* Splits a comma-separated list of exactly n names into out (pointers into a copy of s). */
static void parse_names(const char *opt, const char *s, const char **out, int n) {
    char *copy = strdup(s);
    if (!copy) fail("out of memory");
    int k = 0;
    for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (k == n) fail("%s: more than %d names in '%s'", opt, n, s);
        out[k++] = t;
    }
    if (k != n) fail("%s: %d names in '%s', expected %d (comma-separated)", opt, k, s, n);
}

static void parse_angles(const char *opt, const char *s, double *out, int n) {
    const char *p = s;
    for (int k = 0; k < n; k++) {
        char *end = NULL;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno || !isfinite(v) || fabs(v) > 7) fail("%s: '%s' is not %d angles in rad", opt, s, n);
        out[k] = v;
        p = end;
        if (k < n - 1) {
            if (*p != ',') fail("%s: '%s' is not %d comma-separated angles in rad", opt, s, n);
            p++;
        }
    }
    if (*p) fail("%s: '%s' has more than %d angles", opt, s, n);
}

static uint64_t mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000ull + (uint64_t) t.tv_nsec;
}

static const char *mode_name(int mode) {
    return mode == PROTO_MODE_DAMP ? "damp" : mode == PROTO_MODE_HOLD ? "hold" : mode == PROTO_MODE_RUN ? "run" : "?";
}

/* Everything the loop, the status line and the summary share. */
typedef struct {
    sitl_robot robot;
    sitl_pty pty;
    faults_t *faults;
    fw_t fw;
    int quiet;
    uint64_t overruns, resyncs, max_late_ns;
    sitl_video *video; /* --video, or NULL */
} emulator;

static void print_port(emulator *e) {
    printf("trot-emulator: serial port %s\n", sitl_pty_path(&e->pty));
    fflush(stdout);
}

static void status_line(emulator *e) {
    const fw_t *fw = &e->fw;
    const fw_counters *c = &fw->counters;
    fprintf(stderr,
            "trot-emulator: t %.1f s | host %s | session %s armed %s mode %s faults 0x%x | trunk z %.3f m | "
            "rx ok %lu bad %lu | applied %lu rejected %lu | watchdog %lu | states %lu skipped %lu | "
            "overruns %lu max late %.2f ms resyncs %lu\n",
            (double) e->robot.steps / 1000.0,
            e->pty.master < 0 ? "unplugged" : e->pty.host_open ? "connected" : "not connected",
            fw->session_active ? "yes" : "no", fw->armed ? "yes" : "no", mode_name(fw->mode),
            (unsigned) fw->faults, sitl_trunk_height(&e->robot), (unsigned long) c->rx_ok,
            (unsigned long) c->rx_bad, (unsigned long) c->commands_applied, (unsigned long) c->commands_rejected,
            (unsigned long) c->watchdog_trips, (unsigned long) c->states_sent, (unsigned long) c->states_skipped,
            (unsigned long) e->overruns, (double) e->max_late_ns / 1e6, (unsigned long) e->resyncs);
}

static void summary(const emulator *e, const fw_counters *c) {
    printf("summary physics_steps=%llu sim_time_s=%.3f overruns=%llu max_late_us=%llu resyncs=%llu "
           "unstable_steps=%llu trunk_z_m=%.3f\n",
           (unsigned long long) e->robot.steps, (double) e->robot.steps / 1000.0,
           (unsigned long long) e->overruns, (unsigned long long) (e->max_late_ns / 1000),
           (unsigned long long) e->resyncs, (unsigned long long) e->robot.unstable_steps,
           sitl_trunk_height(&e->robot));
    printf("summary frames_rx_ok=%lu frames_rx_bad=%lu commands_applied=%lu commands_rejected=%lu "
           "rejected_stale=%lu rejected_invalid=%lu rejected_no_session=%lu rejected_disarmed=%lu "
           "watchdog_trips=%lu estops=%lu states_sent=%lu states_skipped=%lu host_opens=%llu "
           "bytes_from_host=%llu bytes_to_host=%llu commands_logged=%llu\n",
           (unsigned long) c->rx_ok, (unsigned long) c->rx_bad, (unsigned long) c->commands_applied,
           (unsigned long) c->commands_rejected, (unsigned long) c->rejected_stale,
           (unsigned long) c->rejected_invalid, (unsigned long) c->rejected_no_session,
           (unsigned long) c->rejected_disarmed, (unsigned long) c->watchdog_trips, (unsigned long) c->estops,
           (unsigned long) c->states_sent, (unsigned long) c->states_skipped,
           (unsigned long long) e->pty.host_opens, (unsigned long long) e->robot.bytes_from_host,
           (unsigned long long) e->robot.bytes_to_host, (unsigned long long) e->robot.commands_logged);
    printf("summary");
    for (int k = 0; k < FAULT_KINDS; k++) {
        if (k == FAULT_UNPLUG) continue;
        for (int d = 0; d < FAULTS_DIRS; d++)
            printf(" faults_injected_%s_%s=%llu", faults_kind_name(k), faults_dir_name(d),
                   (unsigned long long) e->faults->lane[d].injected[k]);
    }
    printf(" unplugs=%llu\n", (unsigned long long) e->faults->unplugs);
    fflush(stdout);
}

static void tick(emulator *e) {
    sitl_io_in(&e->robot);
    fw_tick(&e->fw);
    sitl_io_out(&e->robot);
    sitl_step(&e->robot);
    if (e->video) sitl_video_sample(e->video, e->robot.d, e->robot.steps);
}

/* The injector's unplug: the port goes away for its duration, then a new one appears (the link follows it). */
static void follow_unplug(emulator *e, const char *link) {
    int down = faults_unplugged(e->faults);
    if (down && e->pty.master >= 0) {
        sitl_pty_close(&e->pty);
        if (!e->quiet) {
            printf("trot-emulator: fault injector: unplugged for %u ms (t %.3f s)\n",
                   (unsigned) e->faults->spec.unplug_ms, (double) e->robot.steps / 1000.0);
            fflush(stdout);
        }
    } else if (!down && e->pty.master < 0) {
        char why[512];
        if (sitl_pty_open(&e->pty, link, why, sizeof why)) {
            fprintf(stderr, "trot-emulator: cannot open a new pty after an unplug: %s\n", why);
            stop_signal = SIGTERM;
            return;
        }
        faults_flush(e->faults);
        e->robot.tx_length = e->robot.tx_offset = 0;
        print_port(e); /* the new port (the same link path, a new slave) */
    }
}

static emulator E; /* large (the injector's queues): not on the stack */

int main(int argc, char **argv) {
    const char *model = NULL, *link = NULL, *fault_text = NULL, *log_path = NULL, *start_text = "standing";
    uint64_t seed = 1, fault_seed = 0, benchmark = 0;
    int have_fault_seed = 0, quiet = 0, realtime = 0, video_width = 640, video_height = 480, video_high = 0;
    const char *video_path = NULL;
    double duration = 0, status_every = 10, torque_limit = 0;
    const char *robot_name = NULL;
    sitl_robot_names names;
    sitl_robot_names_a1(&names);
    int robot_options = 0; /* bit per robot option given: joints, imu, feet, stand-rad, torque-limit, robot-name */
    enum { O_MODEL = 256, O_LINK, O_SEED, O_FAULTS, O_FAULT_SEED, O_LOG, O_DURATION, O_STATUS, O_START, O_QUIET,
           O_BENCH, O_HELP, O_REALTIME, O_VIDEO, O_VIDEO_SIZE, O_VIDEO_QUALITY, O_JOINTS, O_IMU, O_FEET, O_STAND,
           O_TORQUE, O_ROBOT_NAME };
    static const struct option options[] = {
        {"model", required_argument, 0, O_MODEL}, {"link", required_argument, 0, O_LINK},
        {"seed", required_argument, 0, O_SEED}, {"faults", required_argument, 0, O_FAULTS},
        {"fault-seed", required_argument, 0, O_FAULT_SEED}, {"log-commands", required_argument, 0, O_LOG},
        {"duration", required_argument, 0, O_DURATION}, {"status-every", required_argument, 0, O_STATUS},
        {"start", required_argument, 0, O_START}, {"quiet", no_argument, 0, O_QUIET},
        {"benchmark", required_argument, 0, O_BENCH}, {"help", no_argument, 0, O_HELP},
        {"realtime", no_argument, 0, O_REALTIME}, {"video", required_argument, 0, O_VIDEO},
        {"video-size", required_argument, 0, O_VIDEO_SIZE}, {"video-quality", required_argument, 0, O_VIDEO_QUALITY},
        {"joints", required_argument, 0, O_JOINTS},
        {"imu", required_argument, 0, O_IMU}, {"feet", required_argument, 0, O_FEET},
        {"stand-rad", required_argument, 0, O_STAND}, {"torque-limit", required_argument, 0, O_TORQUE},
        {"robot-name", required_argument, 0, O_ROBOT_NAME}, {0, 0, 0, 0}};
    opterr = 0;
    for (;;) {
        int idx = 0;
        int o = getopt_long(argc, argv, ":", options, &idx);
        if (o == -1) break;
        switch (o) {
        case O_MODEL: model = optarg; break;
        case O_LINK: link = optarg; break;
        case O_SEED: seed = parse_u64("--seed", optarg); break;
        case O_FAULTS: fault_text = optarg; break;
        case O_FAULT_SEED: fault_seed = parse_u64("--fault-seed", optarg); have_fault_seed = 1; break;
        case O_LOG: log_path = optarg; break;
        case O_DURATION: duration = parse_seconds("--duration", optarg, 0); break;
        case O_STATUS: status_every = parse_seconds("--status-every", optarg, 1); break;
        case O_START: start_text = optarg; break;
        case O_QUIET: quiet = 1; break;
        case O_REALTIME: realtime = 1; break;
        case O_VIDEO: video_path = optarg; break;
        case O_VIDEO_SIZE: {
            char tail = 0;
            if (sscanf(optarg, "%dx%d%c", &video_width, &video_height, &tail) != 2 || video_width < 16
                || video_height < 16 || video_width > 8192 || video_height > 8192 || video_width % 2
                || video_height % 2)
                fail("--video-size: '%s' is not WIDTHxHEIGHT with even numbers of pixels from 16 to 8192 (e.g. "
                     "640x480)", optarg);
            break;
        }
        case O_VIDEO_QUALITY:
            if (!strcmp(optarg, "high")) video_high = 1;
            else if (!strcmp(optarg, "fast")) video_high = 0;
            else fail("--video-quality: '%s' is not fast or high", optarg);
            break;
        case O_JOINTS: parse_names("--joints", optarg, names.joints, PROTO_JOINTS); robot_options |= 1; break;
        case O_IMU: {
            const char *imu[3];
            parse_names("--imu", optarg, imu, 3);
            names.orientation = imu[0];
            names.gyro = imu[1];
            names.accelerometer = imu[2];
            robot_options |= 2;
            break;
        }
        case O_FEET: parse_names("--feet", optarg, names.feet, PROTO_FEET); robot_options |= 4; break;
        case O_STAND: parse_angles("--stand-rad", optarg, names.stand_rad, PROTO_JOINTS); robot_options |= 8; break;
        case O_TORQUE: {
            char *end = NULL;
            torque_limit = strtod(optarg, &end);
            if (!*optarg || *end || !isfinite(torque_limit) || torque_limit <= 0 || torque_limit > 1000)
                fail("--torque-limit: '%s' is not a positive torque in N m", optarg);
            robot_options |= 16;
            break;
        }
        case O_ROBOT_NAME:
            robot_name = optarg;
            if (!*robot_name || strlen(robot_name) > 16) fail("--robot-name: '%s' must have 1 to 16 characters", optarg);
            robot_options |= 32;
            break;
        case O_BENCH:
            benchmark = parse_u64("--benchmark", optarg);
            if (!benchmark) fail("--benchmark: the number of steps must be positive");
            break;
        case O_HELP: fputs(usage_text, stdout); return 0;
        case ':': fail("option '%s' needs a value (see --help)", argv[optind - 1]);
        default:
            if (optopt && optopt < 256) fail("unknown option '-%c' (see --help)", optopt);
            fail("unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc) fail("unexpected argument '%s' (options start with --; see --help)", argv[optind]);
    if (!model) fail("--model FILE is required: the MuJoCo model of the A1, e.g. --model hardware/a1/a1.xml");
    if (robot_options != 0 && robot_options != 63)
        fail("--joints, --imu, --feet, --stand-rad, --torque-limit and --robot-name describe a robot other than the "
             "A1 and go together (trot emulate --robot FILE gives them all); some are missing");
    enum sitl_start start;
    if (!strcmp(start_text, "standing")) start = SITL_START_STANDING;
    else if (!strcmp(start_text, "lying")) start = SITL_START_LYING;
    else if (!strcmp(start_text, "side-right")) start = SITL_START_SIDE_RIGHT;
    else if (!strcmp(start_text, "side-left")) start = SITL_START_SIDE_LEFT;
    else if (!strcmp(start_text, "back")) start = SITL_START_BACK;
    else if (!strcmp(start_text, "side")) {
        start = seed % 2 ? SITL_START_SIDE_RIGHT : SITL_START_SIDE_LEFT;
        start_text = seed % 2 ? "side-right" : "side-left";
    } else
        fail("--start: '%s' is not one of standing, lying, side, side-left, side-right, back", start_text);
    if (!have_fault_seed) fault_seed = seed;
    if (video_path && benchmark) fail("--video records a run on the port; it does not go with --benchmark");
    if (video_path) {
        size_t n = strlen(video_path);
        if (n < 4 || strcasecmp(video_path + n - 4, ".mp4"))
            fail("--video writes an H.264 MP4 file; name it FILE.mp4, got '%s'", video_path);
    }

    char why[1024];
    faults_spec spec;
    if (faults_parse(fault_text, &spec, why, sizeof why)) fail("--faults '%s': %s", fault_text, why);
    if (link && !benchmark && sitl_pty_check_link(link, why, sizeof why)) fail("%s", why);

    emulator *e = &E;
    e->quiet = quiet;
    e->faults = calloc(1, sizeof *e->faults);
    if (!e->faults) fail("out of memory");
    faults_init(e->faults, &spec, fault_seed);
    if (sitl_robot_load(&e->robot, model, &names, why, sizeof why)) fail("%s", why);
    if (sitl_robot_start(&e->robot, start, seed, why, sizeof why)) fail("%s", why);
    e->robot.faults = e->faults;
    e->robot.pty = &e->pty;
    e->pty.master = -1;
    if (log_path) {
        e->robot.log = fopen(log_path, "w");
        if (!e->robot.log) fail("--log-commands %s: cannot write it: %s", log_path, strerror(errno));
    }

    fw_config config;
    fw_config_a1(&config, robot_options ? robot_name : "A1-emulated");
    if (robot_options) {
        /* Another robot: the device enforces its model's joint ranges and its motors' torque limit. */
        for (int j = 0; j < PROTO_JOINTS; j++) {
            double lo, hi;
            if (!sitl_joint_range(&e->robot, j, &lo, &hi))
                fail("joint %s has no range in the model; the firmware needs one for every joint", names.joints[j]);
            config.q_min_rad[j] = (float) lo;
            config.q_max_rad[j] = (float) hi;
        }
        config.tau_max_Nm = (float) torque_limit;
    }
    const char *config_why = NULL;
    if (fw_config_check(&config, &config_why)) fail("the firmware's configuration of this robot is refused: %s", config_why);
    fw_hal hal;
    sitl_robot_hal(&e->robot, &hal);
    if (fw_init(&e->fw, &config, &hal)) fail("the firmware core refused the emulator's HAL");

    if (benchmark) {
        /* Nobody on the line (the pty stays closed): the firmware damps, sends Heartbeats into the void. */
        uint64_t t0 = mono_ns(), worst = 0, over = 0, hist[8] = {0};
        for (uint64_t i = 0; i < benchmark; i++) {
            uint64_t a = mono_ns();
            tick(e);
            uint64_t t = mono_ns() - a;
            if (t > worst) worst = t;
            if (t > TICK_NS) over++;
            int b = 0;
            while (b < 7 && t > (50000ull << b)) b++; /* 50, 100, 200 .. 3200 us, more */
            hist[b]++;
        }
        double s = (double) (mono_ns() - t0) / 1e9;
        printf("benchmark: slowest tick %.0f us; ticks over 1 ms: %llu; ticks <=50us %llu, <=100 %llu, <=200 %llu, "
               "<=400 %llu, <=800 %llu, <=1600 %llu, <=3200 %llu, more %llu\n",
               (double) worst / 1e3, (unsigned long long) over, (unsigned long long) hist[0],
               (unsigned long long) hist[1], (unsigned long long) hist[2], (unsigned long long) hist[3],
               (unsigned long long) hist[4], (unsigned long long) hist[5], (unsigned long long) hist[6],
               (unsigned long long) hist[7]);
        printf("benchmark: %llu ticks (firmware + HAL + physics) in %.3f s: %.0f steps/s, %.2f us per tick, "
               "%.1f x real time; trunk z %.3f m at the end\n",
               (unsigned long long) benchmark, s, (double) benchmark / s, s * 1e6 / (double) benchmark,
               (double) benchmark / s / 1000.0, sitl_trunk_height(&e->robot));
        sitl_robot_free(&e->robot);
        return 0;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake at the deadline, not up to 50 us after it */
    const char *priority = "normal priority";
    if (realtime) {
        struct sched_param sp;
        memset(&sp, 0, sizeof sp);
        sp.sched_priority = 10;
        if (sched_setscheduler(0, SCHED_FIFO, &sp) == 0) {
            priority = "real-time priority (SCHED_FIFO 10)";
            mlockall(MCL_CURRENT | MCL_FUTURE);
        } else {
            fprintf(stderr, "trot-emulator: --realtime: SCHED_FIFO refused (%s); running at normal priority (needs "
                    "root, CAP_SYS_NICE or an rtprio limit)\n", strerror(errno));
        }
    }

    if (video_path) {
        /* Before the port appears: a missing GL driver or ffmpeg is reported before any host connects. */
        e->video = sitl_video_open(e->robot.m, video_path, video_width, video_height, video_high, 30.0, why,
                                   sizeof why);
        if (!e->video) fail("--video %s: %s", video_path, why);
        sitl_video_sample(e->video, e->robot.d, e->robot.steps); /* frame 0: the start pose */
    }
    if (sitl_pty_open(&e->pty, link, why, sizeof why)) fail("%s", why);
    print_port(e);
    if (!quiet) {
        char ftext[256];
        faults_format(&spec, ftext, sizeof ftext);
        printf("trot-emulator: robot %s, firmware %u.%u.%u, model %s (MuJoCo %d.%d.%d, 1 ms step)\n",
               robot_options ? robot_name : "A1-emulated (Unitree A1, 12 joints, 4 feet)", FW_VERSION >> 16, (FW_VERSION >> 8) & 0xff, FW_VERSION & 0xff, model, mj_version() / 100,
               (mj_version() / 10) % 10, mj_version() % 10);
        printf("trot-emulator: start %s on a flat floor, trunk z %.3f m; firmware disarmed (damping) until a host "
               "arms it; sensor seed %llu\n",
               start_text, sitl_trunk_height(&e->robot), (unsigned long long) seed);
        if (faults_active(&spec))
            printf("trot-emulator: fault injector: %s (fault seed %llu)\n", ftext, (unsigned long long) fault_seed);
        else
            printf("trot-emulator: fault injector: none\n");
        if (log_path) printf("trot-emulator: logging applied commands to %s\n", log_path);
        printf("trot-emulator: running in real time (1 ms of physics per 1 ms, %s); Ctrl-C to stop\n", priority);
        fflush(stdout);
    }

    const uint64_t end_steps = duration > 0 ? (uint64_t) llround(duration * 1000.0) : UINT64_MAX;
    const uint64_t status_steps = status_every > 0 ? (uint64_t) llround(status_every * 1000.0) : 0;
    uint64_t target = mono_ns();
    while (!stop_signal && e->robot.steps < end_steps) {
        target += TICK_NS;
        struct timespec ts = {(time_t) (target / 1000000000ull), (long) (target % 1000000000ull)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stop_signal) {}
        if (stop_signal) break;
        uint64_t now = mono_ns();
        uint64_t late = now > target ? now - target : 0;
        if (late > TICK_NS) e->overruns++;
        if (late > e->max_late_ns) e->max_late_ns = late;
        if (late > RESYNC_NS) { /* far behind (suspended, starved): do not run the missed ticks in a burst */
            e->resyncs++;
            target = now;
        }
        tick(e);
        follow_unplug(e, link);
        if (e->robot.log && e->robot.steps % 100 == 0) fflush(e->robot.log);
        if (status_steps && e->robot.steps % status_steps == 0) status_line(e);
    }

    /* Shutdown: the counters as they were, then the e-stop input for 10 ms (the firmware damps and tells the
       host with a Fault ESTOP), then the port goes away. */
    fw_counters counters = e->fw.counters;
    uint64_t steps = e->robot.steps;
    e->robot.estop_input = 1;
    for (int i = 0; i < 10 && e->pty.master >= 0; i++) tick(e);
    if (e->robot.log) fclose(e->robot.log);
    sitl_pty_close(&e->pty);
    if (!quiet) {
        printf("trot-emulator: stopped (%s) after %.3f s; port %s closed\n",
               stop_signal ? strsignal(stop_signal) : "duration reached", (double) steps / 1000.0,
               link ? link : e->pty.slave);
    }
    e->robot.steps = steps;
    summary(e, &counters);
    int code = 0;
    if (e->video) {
        if (!quiet) {
            printf("trot-emulator: finishing the video %s\n", video_path);
            fflush(stdout);
        }
        long frames = sitl_video_close(e->video, why, sizeof why);
        e->video = NULL;
        if (frames < 0) {
            fprintf(stderr, "trot-emulator: --video %s: %s\n", video_path, why);
            code = 1;
        } else {
            printf("trot-emulator: video %s: %ld frames (%.1f s at 30 frames per second)\n", video_path, frames,
                   (double) frames / 30.0);
        }
    }
    sitl_robot_free(&e->robot);
    free(e->faults);
    return code;
}
