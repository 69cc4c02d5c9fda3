// libFuzzer harness for the safetensors reader (see docs/fuzzing.md). Any input must either parse
// or throw gibbs::Error; a file that parses must survive a round trip through the writer:
// parse(serialize(parse(x))) == parse(x).
#include <cstdio>
#include <cstdlib>

#include "gibbs/io/safetensors.hpp"

using namespace gibbs::io;

namespace {

bool same(const SafetensorsFile& a, const SafetensorsFile& b) {
    if (a.metadata != b.metadata || a.tensors.size() != b.tensors.size()) return false;
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        const auto& [name_a, ta] = a.tensors[i];
        const auto& [name_b, tb] = b.tensors[i];
        if (name_a != name_b || ta.dtype != tb.dtype || ta.shape != tb.shape || ta.data != tb.data)
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    SafetensorsFile file;
    try {
        file = parse_safetensors(bytes, "fuzz");
    } catch (const gibbs::Error&) {
        return 0;
    }
    // NOTE: names that are not valid UTF-8 cannot occur here, the JSON parser refuses them.
    const std::string written = serialize_safetensors(file);
    const SafetensorsFile again = parse_safetensors(
        std::span(reinterpret_cast<const std::byte*>(written.data()), written.size()), "again");
    if (!same(file, again)) {
        std::fprintf(stderr, "round trip changed the file\n");
        std::abort();
    }
    return 0;
}
