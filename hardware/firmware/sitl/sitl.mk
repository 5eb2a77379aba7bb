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
SITL_EMULATOR_SRCS := sitl/emulator.c sitl/hal_mujoco.c sitl/pty.c sitl/faults.c
SITL_HEADERS := $(wildcard sitl/*.h) $(wildcard core/*.h)
SITL_CORE_OBJS := $(patsubst core/%.c,$(SITL_DIR)/core/%.o,$(CORE_SRCS))
SITL_EMULATOR_OBJS := $(patsubst sitl/%.c,$(SITL_DIR)/%.o,$(SITL_EMULATOR_SRCS))

SITL_TESTS += $(BUILD)/test_faults

.PHONY: emulator
emulator: $(BUILD)/trot-emulator

$(BUILD)/trot-emulator: $(SITL_EMULATOR_OBJS) $(SITL_CORE_OBJS)
	$(CC) $(SITL_CFLAGS) -o $@ $^ $(SITL_LIBS)

$(SITL_DIR)/%.o: sitl/%.c $(SITL_HEADERS)
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
