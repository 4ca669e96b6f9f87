// SPDX-License-Identifier: MIT
// EventQueue is defined in its header, so that the simulation's loop inlines push and pop.
#include "engine/event_queue.hpp"
