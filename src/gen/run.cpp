// Run folders of generative training (gibbs/gen/run.hpp).
#include "gibbs/gen/run.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gibbs/io/file.hpp"
#include "gibbs/tensor/error.hpp"

namespace gibbs::gen {

namespace fs = std::filesystem;

namespace {

nlohmann::json read_json_file(const std::string& path) {
    std::ifstream in(path);
    check(in.good(), path, ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    check(!j.is_discarded() && j.is_object(), path, ": not a JSON object");
    return j;
}

}  // namespace

GenerativeRun GenerativeRun::create(const std::string& dir, const nlohmann::json& config) {
    check(config.is_object(), "GenerativeRun: the config must be a JSON object");
    check(!dir.empty(), "train: give the run folder with --out DIR");
    const fs::path folder(dir);
    check(!fs::exists(folder / "config.json"), "train: ", dir,
          " already holds a run (config.json); continue it with --resume ", dir,
          " or choose another --out");
    std::error_code ec;
    fs::create_directories(folder, ec);
    check(!ec, "train: cannot create the run folder ", dir, ": ", ec.message());
    GenerativeRun run;
    run.dir_ = dir;
    run.config_ = config;
    io::write_file_atomic(run.path("config.json"), config.dump(2) + "\n");
    run.metrics_.emplace(run.path("metrics.jsonl"), io::MetricsLogOptions{.truncate = true});
    return run;
}

GenerativeRun GenerativeRun::resume(const std::string& dir) {
    GenerativeRun run;
    run.dir_ = dir;
    check(fs::exists(fs::path(dir) / "config.json"), "train: --resume ", dir,
          ": no run there (it has no config.json)");
    run.config_ = read_json_file(run.path("config.json"));
    check(fs::exists(run.path("checkpoint.safetensors")), "train: --resume ", dir,
          ": no checkpoint.safetensors there (a run saves one after its first epoch)");
    run.checkpoint_ = io::load_checkpoint(run.path("checkpoint.safetensors"));
    const std::string& epoch = run.checkpoint_->meta("gibbs.epoch");
    run.epoch_ = std::stoll(epoch);
    check(run.epoch_ >= 1, run.checkpoint_->path, ": epoch ", epoch, " is not a finished epoch");
    // Keep the records of the epochs the checkpoint holds; later lines belong to an epoch that
    // will run again.
    std::string kept;
    if (fs::exists(run.path("metrics.jsonl")))
        for (const nlohmann::json& r : io::read_metrics(run.path("metrics.jsonl")))
            if (r.value("epoch", int64_t{0}) <= run.epoch_) kept += r.dump() + "\n";
    io::write_file_atomic(run.path("metrics.jsonl"), kept);
    run.metrics_.emplace(run.path("metrics.jsonl"));
    return run;
}

void GenerativeRun::update_config(const nlohmann::json& changes) {
    check(changes.is_object(), "GenerativeRun::update_config: changes must be a JSON object");
    for (const auto& [key, value] : changes.items()) config_[key] = value;
    io::write_file_atomic(path("config.json"), config_.dump(2) + "\n");
}

std::string GenerativeRun::path(const std::string& file) const {
    return (fs::path(dir_) / file).string();
}

io::NamedTensors GenerativeRun::tensors(const std::string& prefix) const {
    check(checkpoint_.has_value(), "GenerativeRun: ", dir_, " was not resumed");
    return checkpoint_->with_prefix(prefix);
}

void GenerativeRun::restore(nn::Module& module, const std::string& prefix) const {
    io::load_module_state(module, tensors(prefix), checkpoint_->path);
}

void GenerativeRun::restore(optim::Optimizer& optimizer, const std::string& prefix) const {
    optimizer.load_state(tensors(prefix));
}

Generator::State GenerativeRun::generator_state() const {
    check(checkpoint_.has_value(), "GenerativeRun: ", dir_, " was not resumed");
    return generator_state_from_text(checkpoint_->meta("gibbs.generator"), checkpoint_->path);
}

std::string GenerativeRun::meta(const std::string& key) const {
    if (!checkpoint_) return "";
    const auto it = checkpoint_->metadata.find(key);
    return it == checkpoint_->metadata.end() ? "" : it->second;
}

void GenerativeRun::log(const nlohmann::json& record) {
    check(metrics_.has_value(), "GenerativeRun: no metrics file is open");
    metrics_->write(record);
}

void GenerativeRun::save(int64_t epoch, const std::string& kind, const io::NamedTensors& model,
                         const std::vector<std::pair<std::string, io::NamedTensors>>& groups,
                         const Generator& gen, const std::map<std::string, std::string>& model_meta,
                         const std::map<std::string, std::string>& extra_meta) {
    std::map<std::string, std::string> meta = model_meta;
    meta["gibbs.model"] = kind;
    meta["gibbs.config"] = config_.dump();
    meta["gibbs.epoch"] = std::to_string(epoch);
    io::save_checkpoint(path("model.safetensors"), model, meta);
    io::NamedTensors all;
    for (const auto& [prefix, tensors] : groups)
        for (auto& entry : io::prefixed(tensors, prefix)) all.push_back(std::move(entry));
    std::map<std::string, std::string> ck_meta = extra_meta;
    ck_meta["gibbs.model"] = kind;
    ck_meta["gibbs.epoch"] = std::to_string(epoch);
    ck_meta["gibbs.generator"] = generator_state_to_text(gen.state());
    io::save_checkpoint(path("checkpoint.safetensors"), all, ck_meta);
}

nlohmann::json generative_config(const io::Checkpoint& checkpoint, const std::string& kind) {
    const std::string& saved = checkpoint.meta("gibbs.model");
    check(saved == kind, checkpoint.path, ": holds a '", saved, "' model, not a '", kind, "'");
    nlohmann::json j =
        nlohmann::json::parse(checkpoint.meta("gibbs.config"), nullptr, /*allow_exceptions=*/false);
    check(!j.is_discarded() && j.is_object(), checkpoint.path,
          ": the \"gibbs.config\" metadata is not a JSON object");
    return j;
}

}  // namespace gibbs::gen
