// `gibbs fit MODEL --data FILE.csv --target COLUMN`: fits OLS, Ridge, Lasso, elastic net or
// logistic regression to a CSV table and prints the intercept, the coefficients by column name and
// the training (or k-fold cross-validated) scores; --json prints one JSON object instead.
// Costs (docs/linear.md): (1/n)‖y − Xθ‖² plus λ‖θ‖² (ridge), λ‖θ‖₁ (lasso),
// λ(r‖θ‖₁ + (1 − r)‖θ‖²) (elasticnet); logistic: mean cross-entropy + λ‖θ‖².
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.hpp"
#include "gibbs/data/csv.hpp"
#include "gibbs/linear/design.hpp"
#include "gibbs/linear/elastic_net.hpp"
#include "gibbs/linear/logistic.hpp"
#include "gibbs/linear/metrics.hpp"
#include "gibbs/linear/ols.hpp"
#include "gibbs/linear/resampling.hpp"
#include "gibbs/linear/ridge.hpp"
#include "gibbs/tensor/error.hpp"

namespace {

using namespace gibbs;
using namespace gibbs::linear;
using Json = nlohmann::ordered_json;

struct FitOptions {
    std::string model, data, target;
    double lambda = 0.0;
    bool lambda_given = false;  // else the model's default
    double l1_ratio = 0.5;
    int degree = 1;
    bool standardize = false;
    int cv = 0;
    bool json = false;
    uint64_t seed = 0;
};

// A fitted model of any kind: one column of coefficients per class for softmax, else one.
struct Fitted {
    Eigen::VectorXd intercept;  // (K)
    Eigen::MatrixXd coef;       // (P, K)
    std::vector<double> classes;
    std::string warning;
};

bool is_logistic(const FitOptions& o) { return o.model == "logistic"; }

Fitted fit_once(const FitOptions& o, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
    Fitted f;
    auto single = [&](const LinearModel& m) {
        f.intercept = Eigen::VectorXd::Constant(1, m.intercept);
        f.coef = m.coef;
    };
    if (o.model == "ols") {
        const OlsFit r = fit_ols(X, y);
        f.warning = r.warning;
        single(r.model);
    } else if (o.model == "ridge") {
        single(fit_ridge(X, y, {.lambda = o.lambda}));
    } else if (o.model == "lasso" || o.model == "elasticnet") {
        const double r = o.model == "lasso" ? 1.0 : o.l1_ratio;
        const ElasticNetFit e = fit_elastic_net(
            X, y, {.lambda1 = r * o.lambda, .lambda2 = (1 - r) * o.lambda, .max_sweeps = 100000});
        if (!e.converged)
            f.warning = cat("coordinate descent stopped after ", e.sweeps,
                            " sweeps with duality gap ", e.gap);
        single(e.model);
    } else {
        const Labels labels = encode_labels(y);
        f.classes = labels.classes;
        check(labels.classes.size() >= 2, o.data, ": target column '", o.target,
              "' has a single class");
        if (labels.classes.size() == 2) {
            const LogisticModel m =
                fit_logistic(X, labels.index.cast<double>(), {.lambda = o.lambda});
            if (!m.converged)
                f.warning = "Newton's method did not converge (separable data? try --lambda)";
            f.intercept = Eigen::VectorXd::Constant(1, m.intercept);
            f.coef = m.coef;
        } else {
            const SoftmaxModel m = fit_softmax(X, labels.index, {.lambda = o.lambda});
            if (!m.converged)
                f.warning = "Newton's method did not converge (separable data? try --lambda)";
            f.intercept = m.intercept;
            f.coef = m.coef;
        }
    }
    return f;
}

// Scores of `f` on (X, y): MSE and R² for regression, accuracy and log-loss for classification.
std::vector<std::pair<std::string, double>> score(const FitOptions& o, const Fitted& f,
                                                  const Eigen::MatrixXd& X,
                                                  const Eigen::VectorXd& y) {
    if (!is_logistic(o)) {
        const Eigen::VectorXd pred = (X * f.coef.col(0)).array() + f.intercept(0);
        return {{"mse", mse(y, pred)}, {"r2", r2_score(y, pred)}};
    }
    // Map y onto the fitted classes; a class unseen in training has probability 0.
    Eigen::VectorXi t(y.size());
    for (Eigen::Index i = 0; i < y.size(); ++i) {
        t(i) = -1;
        for (size_t k = 0; k < f.classes.size(); ++k)
            if (f.classes[k] == y(i)) t(i) = static_cast<int>(k);
    }
    Eigen::MatrixXd P;
    if (f.classes.size() == 2) {
        const LogisticModel m{.intercept = f.intercept(0), .coef = f.coef.col(0)};
        P.resize(X.rows(), 2);
        P.col(1) = m.predict_proba(X);
        P.col(0) = 1.0 - P.col(1).array();
    } else {
        P = SoftmaxModel{.intercept = f.intercept, .coef = f.coef}.predict_proba(X);
    }
    Eigen::VectorXi pred(X.rows());
    double loss = 0.0;
    for (Eigen::Index i = 0; i < X.rows(); ++i) {
        P.row(i).maxCoeff(&pred(i));
        loss -= std::log(std::clamp(t(i) >= 0 ? P(i, t(i)) : 0.0, 1e-15, 1.0 - 1e-15));
    }
    return {{"accuracy", accuracy(t, pred)}, {"log_loss", loss / static_cast<double>(X.rows())}};
}

void run_fit(const FitOptions& opt) {
    FitOptions o = opt;
    if (!o.lambda_given) o.lambda = o.model == "ols" ? 0.0 : (o.model == "logistic" ? 1e-4 : 0.1);
    check(std::isfinite(o.lambda) && o.lambda >= 0.0, "--lambda must be >= 0, got ", o.lambda);
    check(o.model != "ols" || o.lambda == 0.0, "--lambda does not apply to ols (use ridge)");
    check(o.l1_ratio >= 0.0 && o.l1_ratio <= 1.0, "--l1-ratio must be in [0, 1], got ", o.l1_ratio);
    check(o.degree >= 1, "--degree must be >= 1, got ", o.degree);
    check(o.cv == 0 || o.cv >= 2, "--cv must be >= 2, got ", o.cv);

    const data::Dataset d = data::split_target(data::read_csv(o.data), o.target);
    check(d.X.cols() >= 1, o.data, ": no feature columns besides the target '", o.target, "'");
    Eigen::MatrixXd X = d.X;
    std::vector<std::string> names = d.feature_names;
    if (o.degree > 1) {
        Design p = polynomial_features(d.X, o.degree, d.feature_names);
        X = std::move(p.X);
        names = std::move(p.names);
    }
    const Eigen::Index n = X.rows(), min_rows = o.cv ? 2 * o.cv : 2;
    check(n >= min_rows, o.data, ": ", n, " data rows are too few (need at least ", min_rows,
          o.cv ? " for the requested folds)" : ")");
    if (o.model == "ols")
        check(n > X.cols(), o.data, ": ", n, " rows are too few for OLS with ", X.cols(),
              " columns (need more rows than columns; use ridge or lasso)");

    auto fit_scaled = [&](const Eigen::MatrixXd& Xtr, const Eigen::VectorXd& ytr,
                          Standardizer* used) {
        if (!o.standardize) return fit_once(o, Xtr, ytr);
        const Standardizer s = Standardizer::fit(Xtr);
        if (used) *used = s;
        return fit_once(o, s.transform(Xtr), ytr);
    };
    Standardizer scaler;
    const Fitted f = fit_scaled(X, d.y, &scaler);
    const Eigen::MatrixXd X_used = o.standardize ? scaler.transform(X) : X;

    std::vector<std::pair<std::string, double>> scores;
    if (o.cv) {
        Generator gen(o.seed);
        const std::vector<Split> folds = kfold(n, o.cv, gen);
        for (const Split& s : folds) {
            const Eigen::MatrixXd Xtr = take_rows(X, s.train);
            Standardizer fs;
            const Fitted ff = fit_scaled(Xtr, take_rows(d.y, s.train), &fs);
            const Eigen::MatrixXd Xte =
                o.standardize ? fs.transform(take_rows(X, s.test)) : take_rows(X, s.test);
            const auto fold = score(o, ff, Xte, take_rows(d.y, s.test));
            if (scores.empty())
                for (const auto& [k, v] : fold) scores.emplace_back("cv_" + k, 0.0);
            for (size_t i = 0; i < fold.size(); ++i) scores[i].second += fold[i].second / o.cv;
        }
    } else {
        for (const auto& [k, v] : score(o, f, X_used, d.y)) scores.emplace_back("train_" + k, v);
    }
    if (!f.warning.empty()) std::fprintf(stderr, "gibbs: warning: %s\n", f.warning.c_str());

    const bool multi = f.coef.cols() > 1;
    if (o.json) {
        Json j;
        j["model"] = multi ? "softmax" : o.model;
        if (o.model != "ols") j["lambda"] = o.lambda;
        if (o.model == "elasticnet") j["l1_ratio"] = o.l1_ratio;
        j["standardized"] = o.standardize;
        if (multi) {
            j["classes"] = f.classes;
            j["intercept"] =
                std::vector<double>(f.intercept.data(), f.intercept.data() + f.intercept.size());
        } else {
            if (is_logistic(o)) j["classes"] = f.classes;
            j["intercept"] = f.intercept(0);
        }
        Json coef = Json::object();
        for (size_t c = 0; c < names.size(); ++c) {
            const auto row = f.coef.row(static_cast<Eigen::Index>(c));
            if (multi)
                coef[names[c]] = std::vector<double>(row.begin(), row.end());
            else
                coef[names[c]] = row(0);
        }
        j["coef"] = coef;
        Json sc = Json::object();
        for (const auto& [k, v] : scores) sc[k] = v;
        if (o.cv) sc["cv_folds"] = o.cv;
        j["scores"] = sc;
        std::cout << j.dump() << '\n';
        return;
    }
    std::printf("model: %s", multi ? "softmax" : o.model.c_str());
    if (o.model != "ols") std::printf("  lambda = %g", o.lambda);
    if (o.model == "elasticnet") std::printf("  l1_ratio = %g", o.l1_ratio);
    std::printf("\ndata: %s (%ld rows, %ld columns%s), target '%s'\n", o.data.c_str(),
                static_cast<long>(n), static_cast<long>(X.cols()),
                o.standardize ? ", standardized" : "", o.target.c_str());
    for (Eigen::Index k = 0; k < f.coef.cols(); ++k) {
        if (multi) std::printf("\nclass %g\n", f.classes[k]);
        std::printf("%-24s % .10g\n", "intercept", f.intercept(k));
        for (size_t c = 0; c < names.size(); ++c)
            std::printf("%-24s % .10g\n", names[c].c_str(),
                        f.coef(static_cast<Eigen::Index>(c), k));
    }
    std::printf("\nscores (%s)\n", o.cv ? cat(o.cv, "-fold cross-validation").c_str() : "training");
    for (const auto& [k, v] : scores) std::printf("%-24s %.6g\n", k.c_str(), v);
}

}  // namespace

GIBBS_COMMAND(fit) {
    auto* sub = app.add_subcommand("fit", "Fit a linear or logistic regression to a CSV table");
    auto o = std::make_shared<FitOptions>();
    sub->add_option("model", o->model, "ols, ridge, lasso, elasticnet or logistic")
        ->required()
        ->check(CLI::IsMember({"ols", "ridge", "lasso", "elasticnet", "logistic"}));
    sub->add_option("--data", o->data, "CSV file with a header row")->required();
    sub->add_option("--target", o->target, "name of the column to predict")->required();
    auto* lambda =
        sub->add_option("--lambda", o->lambda,
                        "penalty weight λ (default 0.1; logistic 1e-4); costs in docs/linear.md");
    sub->add_option("--l1-ratio", o->l1_ratio, "elastic net: share r of λ on ‖θ‖₁ (default 0.5)");
    sub->add_option("--degree", o->degree, "polynomial features of the columns up to this degree");
    sub->add_flag("--standardize", o->standardize,
                  "standardize columns (coefficients are then for standardized columns)");
    sub->add_option("--cv", o->cv, "report K-fold cross-validated scores");
    sub->add_option("--seed", o->seed, "seed of the fold assignment (default 0)");
    sub->add_flag("--json", o->json, "print one JSON object");
    sub->callback([o, lambda] {
        o->lambda_given = lambda->count() > 0;
        run_fit(*o);
    });
}
