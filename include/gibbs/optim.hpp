// Everything of layer 3 optim: the optimizers, learning-rate schedules and gradient clipping.
#pragma once

#include "gibbs/optim/adagrad.hpp"
#include "gibbs/optim/adam.hpp"
#include "gibbs/optim/clip.hpp"
#include "gibbs/optim/lbfgs.hpp"
#include "gibbs/optim/optimizer.hpp"
#include "gibbs/optim/rmsprop.hpp"
#include "gibbs/optim/schedule.hpp"
#include "gibbs/optim/sgd.hpp"
