#!/usr/bin/env python3
"""Writes go1.xml, a MuJoCo model of the Unitree Go1 for trot, from the manufacturer's public robot description.

    python3 hardware/go1/make_go1.py      (writes hardware/go1/go1.xml; edit this script, not the XML)

The numbers are those of unitree_ros, robots/go1_description/xacro/const.xacro (README.md gives the source of each).
Each link's motor rotor (0.089 kg) and the foot (0.06 kg) are lumped into the body that carries them, as
mujoco_menagerie's unitree_go1 does: hip + thigh rotor, thigh + calf rotor, calf + foot, trunk + the four hip rotors.
Masses, centres of mass and inertia tensors are combined exactly (parallel-axis theorem); nothing is copied from a
third-party model file. Four legs differ only in the signs s_x (front +1, rear -1) and s_y (left +1, right -1).
"""
import math
import os

LEGS = [("FR", 1, -1), ("FL", 1, 1), ("RR", -1, -1), ("RL", -1, 1)]
STAND = [0.05, 0.7, -1.4]   # hip, thigh, calf (rad): the walking task's simulated standing pose (go1.robot)
THIGH_L = CALF_L = 0.213    # thigh_length, calf_length
FOOT_R = 0.02               # foot_radius
HEIGHT = THIGH_L * math.cos(STAND[1]) + CALF_L * math.cos(STAND[1] + STAND[2]) + FOOT_R

# const.xacro, "left front" values: mass, centre of mass, inertia (ixx, ixy, ixz, iyy, iyz, izz) about the CoM.
TRUNK = (5.204, (0.0223, 0.002, -0.0005), (0.0168128557, -0.0002296769, -0.0002945293, 0.063009565, -0.0000418731, 0.0716547275))
HIP = (0.591, (-0.005657, -0.008752, -0.000102), (0.000334008405, -0.000010826066, 0.000001290732, 0.000619101213, 0.000001643194, 0.00040057614))
THIGH = (0.92, (-0.003342, -0.018054, -0.033451), (0.004431760472, 0.000057496807, -0.000218457134, 0.004485671726, 0.000572001265, 0.000740309489))
CALF = (0.135862, (0.006197, 0.001408, -0.116695), (0.001088793059, -0.000000255679, 0.000007117814, 0.001100428748, 0.000002077264, 0.000024787446))
ROTOR_MASS = 0.089
HIP_ROTOR_I = (0.000111842, 0, 0, 0.000059647, 0, 0.000059647)    # axis x
LEG_ROTOR_I = (0.000059647, 0, 0, 0.000111842, 0, 0.000059647)    # axis y (thigh and calf rotors)
FOOT_MASS = 0.06
# Positions: hip in trunk (0.1881 s_x, 0.04675 s_y, 0); thigh in hip (0, 0.08 s_y, 0); calf in thigh (0, 0, -0.213);
# rotors: hip rotor in trunk (0.11215 s_x, 0.04675 s_y, 0), thigh rotor in hip (0, -0.00015 s_y, 0), calf rotor in
# thigh (0, -0.03235 s_y, 0); foot at (0, 0, -0.213) in the calf.


def mirror(body, sx, sy, mirror_x):
    """A left-front body mirrored to the leg (sx, sy): y reflected for right legs, x for rear ones if mirror_x."""
    m, c, (ixx, ixy, ixz, iyy, iyz, izz) = body
    fx = sx if mirror_x else 1
    return (m, (c[0] * fx, c[1] * sy, c[2]), (ixx, ixy * fx * sy, ixz * fx, iyy, iyz * sy, izz))


def combine(parts):
    """Mass, centre of mass and inertia about it of rigid parts (mass, com, inertia tuple), all in one frame."""
    m = sum(p[0] for p in parts)
    c = [sum(p[0] * p[1][k] for p in parts) / m for k in range(3)]
    I = [[0.0] * 3 for _ in range(3)]
    for pm, pc, (ixx, ixy, ixz, iyy, iyz, izz) in parts:
        own = [[ixx, ixy, ixz], [ixy, iyy, iyz], [ixz, iyz, izz]]
        d = [pc[k] - c[k] for k in range(3)]
        dd = sum(x * x for x in d)
        for a in range(3):
            for b in range(3):
                I[a][b] += own[a][b] + pm * ((dd if a == b else 0.0) - d[a] * d[b])
    return m, c, (I[0][0], I[0][1], I[0][2], I[1][1], I[1][2], I[2][2])


def inertial(body):
    m, c, (ixx, ixy, ixz, iyy, iyz, izz) = body
    # MuJoCo's fullinertia order: ixx iyy izz ixy ixz iyz
    return (f'<inertial pos="{c[0]:.6g} {c[1]:.6g} {c[2]:.6g}" mass="{m:.6g}" '
            f'fullinertia="{ixx:.6g} {iyy:.6g} {izz:.6g} {ixy:.6g} {ixz:.6g} {iyz:.6g}"/>')


def hip_body(sx, sy):
    return combine([mirror(HIP, sx, sy, True), (ROTOR_MASS, (0, -0.00015 * sy, 0), LEG_ROTOR_I)])


def thigh_body(sx, sy):
    # the calf rotor sits in the thigh frame at (0, -0.03235 s_y, 0)
    return combine([mirror(THIGH, sx, sy, False), (ROTOR_MASS, (0, -0.03235 * sy, 0), LEG_ROTOR_I)])


def calf_body():
    return combine([CALF, (FOOT_MASS, (0, 0, -CALF_L), (0, 0, 0, 0, 0, 0))])


def trunk_body():
    parts = [TRUNK] + [(ROTOR_MASS, (0.11215 * sx, 0.04675 * sy, 0), HIP_ROTOR_I) for _, sx, sy in LEGS]
    return combine(parts)


def leg(name, sx, sy):
    return f'''
      <body name="{name}_hip" pos="{0.1881 * sx:g} {0.04675 * sy:g} 0">
        {inertial(hip_body(sx, sy))}
        <joint name="{name}_hip_joint" class="hip"/>
        <geom name="{name}_hip" type="cylinder" size="0.046 0.02" pos="0 {0.045 * sy:g} 0" zaxis="0 1 0"/>
        <body name="{name}_thigh" pos="0 {0.08 * sy:g} 0">
          {inertial(thigh_body(sx, sy))}
          <joint name="{name}_thigh_joint" class="thigh"/>
          <geom name="{name}_thigh" type="capsule" size="0.017" fromto="0 0 -0.02 0 0 -0.19"/>
          <body name="{name}_calf" pos="0 0 {-THIGH_L:g}">
            {inertial(calf_body())}
            <joint name="{name}_calf_joint" class="calf"/>
            <geom name="{name}_calf" type="capsule" size="0.008" fromto="0 0 0 0 0 -0.19"/>
            <geom name="{name}_foot" class="foot" pos="0 0 {-CALF_L:g}"/>
            <site name="{name}_foot" pos="0 0 {-CALF_L:g}" size="0.025"/>
          </body>
        </body>
      </body>'''


def model():
    z = f"{HEIGHT + 0.005:.4f}"
    qpos = " ".join(["0", "0", z, "1", "0", "0", "0"] + [f"{v:g}" for _ in LEGS for v in STAND])
    motors = "\n".join(f'    <motor name="{n}_{j}" joint="{n}_{j}_joint" class="{j}"/>' for n, _, _ in LEGS
                       for j in ("hip", "thigh", "calf"))
    touch = "\n".join(f'    <touch name="{n}_touch" site="{n}_foot"/>' for n, _, _ in LEGS)
    total = trunk_body()[0] + 4 * (hip_body(1, 1)[0] + thigh_body(1, 1)[0] + calf_body()[0])
    return f'''<!--
  Unitree Go1 quadruped for MuJoCo 2.2, written for trot from the manufacturer's public robot description
  (unitree_ros, robots/go1_description/xacro/const.xacro): link offsets, masses, centres of mass, inertia tensors,
  joint ranges, motor torque limits. Rotors and feet are lumped into the links that carry them; total mass
  {total:.3f} kg. hardware/go1/README.md gives the source of each number. No third-party model file was copied.

  Frame: x forward, y left, z up. Legs FR, FL, RR, RL; joints hip (abduction, about x), thigh and calf (about y).
  Actuators are torque motors (ctrl in N m, limited to the motors' 23.7 / 23.7 / 35.55 N m); the task's PD law is
  computed outside, at every physics step. Generated by hardware/go1/make_go1.py: edit that, not this file.
-->
<mujoco model="unitree_go1">
  <compiler angle="radian" autolimits="true"/>
  <option timestep="0.001" integrator="Euler" cone="elliptic" impratio="100"/>
  <size nconmax="200" njmax="600"/>

  <default>
    <joint damping="2" armature="0.01" frictionloss="0.2"/>
    <geom contype="1" conaffinity="0" condim="3" friction="0.6 0.02 0.01"/>
    <default class="hip">
      <joint axis="1 0 0" range="-0.863 0.863" damping="1"/>
      <motor ctrlrange="-23.7 23.7"/>
    </default>
    <default class="thigh">
      <joint axis="0 1 0" range="-0.686 4.501"/>
      <motor ctrlrange="-23.7 23.7"/>
    </default>
    <default class="calf">
      <joint axis="0 1 0" range="-2.818 -0.888"/>
      <motor ctrlrange="-35.55 35.55"/>
    </default>
    <default class="foot">
      <geom type="sphere" size="{FOOT_R:g}" condim="6" friction="0.8 0.02 0.01"/>
    </default>
    <default class="ground">
      <!-- priority: a contact with the ground takes the ground's friction, which the task randomises. -->
      <geom contype="0" conaffinity="1" condim="6" priority="1" friction="1.0 0.02 0.01"/>
    </default>
  </default>

  <asset>
    <!-- The walking task's ground, as in hardware/a1/a1.xml: 40 m x 20 m of terrain at 10 cm resolution whose
         elevations and scale the task writes per episode. -->
    <hfield name="terrain" nrow="201" ncol="401" size="20 10 4 0.5"/>
  </asset>

  <worldbody>
    <geom name="terrain" class="ground" type="hfield" hfield="terrain" pos="0 0 0"/>
    <geom name="floor" class="ground" type="plane" size="0 0 1" pos="0 0 -0.05"/>

    <body name="trunk" pos="0 0 {z}">
      <freejoint name="root"/>
      {inertial(trunk_body())}
      <geom name="trunk" type="box" size="0.1881 0.04675 0.057"/>
      <site name="imu" pos="0 0 0" size="0.01"/>
{"".join(leg(*l) for l in LEGS)}
    </body>
  </worldbody>

  <actuator>
{motors}
  </actuator>

  <sensor>
    <framequat name="orientation" objtype="site" objname="imu"/>
    <gyro name="gyro" site="imu"/>
    <accelerometer name="accelerometer" site="imu"/>
    <velocimeter name="velocimeter" site="imu"/>
{touch}
  </sensor>

  <keyframe>
    <!-- The walking task's standing pose: hip 0.05, thigh 0.7, calf -1.4 rad on every leg. -->
    <key name="home" qpos="{qpos}"/>
  </keyframe>
</mujoco>
'''


if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "go1.xml")
    with open(out, "w") as f:
        f.write(model())
    print("wrote", out)
