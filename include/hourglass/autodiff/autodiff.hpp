// The autodiff layer in one include: Parameter, Tape, Var, ops, gradcheck.
#pragma once

#include "hourglass/autodiff/gradcheck.hpp"
#include "hourglass/autodiff/ops.hpp"
#include "hourglass/autodiff/ops_conv.hpp"
#include "hourglass/autodiff/parameter.hpp"
#include "hourglass/autodiff/tape.hpp"
