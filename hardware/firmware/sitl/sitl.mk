# sitl/sitl.mk: the emulated robot (software in the loop) and its fault harness; included by ../Makefile, which
# provides CORE_SRCS (core/proto.c core/fw.c), CORE_CFLAGS and BUILD (build), and runs $(SITL_TESTS) in `make test`.
#
#   make emulator            build/trot-emulator: the firmware core + MuJoCo HAL + pty + fault injector
#   make build/test_faults   the fault proof (no MuJoCo needed)
#
# The core is compiled here with the firmware's own CORE_CFLAGS (C99); the emulator's own files are GNU C11
# (openpty, clock_nanosleep, getopt_long).

SITL_CFLAGS ?= -std=gnu11 -O2 -g -Wall -Wextra
SITL_LIBS := -lmujoco -lutil -lm
SITL_DIR := $(BUILD)/sitl

# --video (sitl/video.c): rendered with trot's renderer (../../native/trot_render.c) over EGL, when its headers are
# here (Debian: libegl-dev; to run without a GPU also libegl-mesa0 libgl1-mesa-dri; and ffmpeg to encode).
# `make emulator SITL_VIDEO=0` builds without it.
SITL_VIDEO ?= $(shell printf '\043include <EGL/egl.h>\nint main(void){return eglGetCurrentContext()!=0;}\n' \
	| $(CC) -x c -o /dev/null - -lEGL >/dev/null 2>&1 && echo 1 || echo 0)
ifeq ($(SITL_VIDEO),1)
SITL_LIBS += -lEGL -lpthread
SITL_VIDEO_OBJS := $(SITL_DIR)/native/trot_render.o
SITL_VIDEO_FLAGS := -DSITL_VIDEO
endif
SITL_EMULATOR_SRCS := sitl/emulator.c sitl/hal_mujoco.c sitl/pty.c sitl/faults.c sitl/video.c
SITL_HEADERS := $(wildcard sitl/*.h) $(wildcard core/*.h)
SITL_CORE_OBJS := $(patsubst core/%.c,$(SITL_DIR)/core/%.o,$(CORE_SRCS))
SITL_EMULATOR_OBJS := $(patsubst sitl/%.c,$(SITL_DIR)/%.o,$(SITL_EMULATOR_SRCS))

SITL_TESTS += $(BUILD)/test_faults

.PHONY: emulator
emulator: $(BUILD)/trot-emulator

$(BUILD)/trot-emulator: $(SITL_EMULATOR_OBJS) $(SITL_CORE_OBJS) $(SITL_VIDEO_OBJS)
	$(CC) $(SITL_CFLAGS) -o $@ $^ $(SITL_LIBS)

$(SITL_DIR)/%.o: sitl/%.c $(SITL_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(SITL_CFLAGS) $(SITL_VIDEO_FLAGS) -c -o $@ $<

$(SITL_DIR)/native/trot_render.o: ../../native/trot_render.c ../../native/trot_render.h
	@mkdir -p $(dir $@)
	$(CC) $(SITL_CFLAGS) -c -o $@ $<

$(SITL_DIR)/core/%.o: core/%.c $(wildcard core/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

$(SITL_DIR)/test_faults.o: test/test_faults.c $(SITL_HEADERS) $(wildcard test/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(SITL_CFLAGS) -c -o $@ $<

$(BUILD)/test_faults: $(SITL_DIR)/test_faults.o $(SITL_DIR)/faults.o $(SITL_CORE_OBJS)
	$(CC) $(SITL_CFLAGS) -o $@ $^ -lm
