#!/usr/bin/env python3
"""Drives the real /usr/bin/kubectl against a fresh harborrobot-kube-sim.
usage: kubesim_test.py <sim-binary> <scenario>; exits non-zero on any mismatch."""
import sys

import scenarios_apiserver
import scenarios_basic
import scenarios_errors
import scenarios_events
import scenarios_faults
import scenarios_rbac
import scenarios_reads
import scenarios_seed
import scenarios_writes
from harness import Simulator

SCENARIOS = {}
SIMULATOR_ARGS = {}
for module in (scenarios_basic, scenarios_seed, scenarios_writes, scenarios_reads,
               scenarios_errors, scenarios_rbac, scenarios_faults, scenarios_apiserver,
               scenarios_events):
    SCENARIOS.update(module.SCENARIOS)
    SIMULATOR_ARGS.update(getattr(module, "SIMULATOR_ARGS", {}))


def main():
    binary, scenario = sys.argv[1], sys.argv[2]
    if scenario == "--list":
        print(" ".join(SCENARIOS))
        return
    sim = Simulator(binary, SIMULATOR_ARGS.get(scenario, ()))
    try:
        SCENARIOS[scenario](sim)
    finally:
        sim.stop()
    print(f"{scenario}: passed")


if __name__ == "__main__":
    main()
