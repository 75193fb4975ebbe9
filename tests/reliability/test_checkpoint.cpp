// Training checkpoints: a resumed run equals an uninterrupted one to the
// bit; a writer killed mid-save leaves the previous checkpoint loadable;
// a truncated, edited or foreign checkpoint is refused by name.
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "hourglass/data/gzip.hpp"
#include "hourglass/hourglass.hpp"
#include "hourglass/io/atomic_file.hpp"
#include "hourglass/io/checkpoint.hpp"

extern char** environ;

using hg::Tensor;
using hg::Var;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("hg-ckpt-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const hg::Error& e) {
    return e.what();
  }
  return "<no hg::Error>";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A tiny model trained with Adam on noisy batches: the Rng shapes every
// step, so resuming must restore it as well as the weights and moments.
struct Run {
  hg::Rng rng{11};
  hg::Linear layer{5, 3, rng, hg::Init::Xavier, "lin"};
  hg::Adam adam{layer.params(), {.lr = 0.05f}};
  hg::Tape tape;
  std::vector<double> losses;
  hg::OptimizerState opt = adam.state();

  hg::TrainingState state() {
    return {.params = layer.params(),
            .optimizer = opt.tensors,
            .optimizer_steps = opt.steps,
            .rng = &rng,
            .series = {{"loss", &losses}},
            .tag = {{"test", "run"}}};
  }
  void epoch() {
    for (int s = 0; s < 4; ++s) {
      Tensor x({6, 5});
      rng.fill_normal(x, 0.0f, 1.0f);
      if (rng.bernoulli(0.5f)) rng.normal();  // leaves a spare normal behind
      tape.clear();
      Var loss = mean(square(sub(layer(tape.input(x)), 1.0f)));
      adam.zero_grad();
      tape.backward(loss);
      adam.step();
      losses.push_back(loss.item());
    }
  }
};

void require_same(Run& a, Run& b) {
  for (std::size_t i = 0; i < a.layer.params().size(); ++i) {
    const Tensor& x = a.layer.params()[i]->value;
    const Tensor& y = b.layer.params()[i]->value;
    REQUIRE(x.size() == y.size());
    for (std::size_t j = 0; j < x.size(); ++j) REQUIRE(x[j] == y[j]);
  }
  REQUIRE(a.losses == b.losses);
  REQUIRE(a.adam.steps_taken() == b.adam.steps_taken());
  REQUIRE(a.rng.next_u64() == b.rng.next_u64());
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_SUITE("checkpoint") {
  TEST_CASE("stop after 3 epochs, resume for 3 more == 6 epochs straight") {
    const std::string path = temp_path("resume.safetensors");
    Run straight;
    for (int e = 0; e < 6; ++e) straight.epoch();

    {
      Run first;
      for (int e = 1; e <= 3; ++e) first.epoch();
      hg::TrainingState s = first.state();
      s.epoch = 3;
      hg::save_training(path, s);
    }
    Run resumed;  // fresh objects, as in a new process
    hg::TrainingState s = resumed.state();
    REQUIRE(hg::load_training(path, s));
    CHECK(s.epoch == 3);
    CHECK(resumed.losses.size() == 12);
    for (int e = 4; e <= 6; ++e) resumed.epoch();
    require_same(straight, resumed);
    std::filesystem::remove(path);
  }

  TEST_CASE("no file: load_training returns false and changes nothing") {
    Run r;
    const float w0 = r.layer.params()[0]->value[0];
    hg::TrainingState s = r.state();
    CHECK_FALSE(hg::load_training(temp_path("missing.safetensors"), s));
    CHECK(r.layer.params()[0]->value[0] == w0);
    CHECK(s.epoch == 0);
  }

  TEST_CASE("truncated, edited or foreign checkpoints are refused, model untouched") {
    const std::string path = temp_path("damaged.safetensors");
    Run r;
    r.epoch();
    hg::TrainingState s = r.state();
    s.epoch = 1;
    hg::save_training(path, s);
    const std::string good = read_bytes(path);
    const float w0 = r.layer.params()[0]->value[0];

    Run other;  // what a failed load must leave alone
    const float other_w0 = other.layer.params()[0]->value[0];
    auto load = [&] {
      hg::TrainingState t = other.state();
      hg::load_training(path, t);
    };

    // Every length of truncation is an error naming the file.
    int refused = 0;
    for (std::size_t n : {std::size_t(0), std::size_t(4), std::size_t(8),
                          std::size_t(40), good.size() / 2, good.size() - 1}) {
      hg::write_file_atomically(path, good.substr(0, n));
      const std::string m = message_of(load);
      INFO("truncated to ", n, ": ", m);
      CHECK(contains(m, path));
      refused += m != "<no hg::Error>";
    }
    CHECK(refused == 6);

    // One flipped bit in the weights: only the checksum can see it.
    std::string edited = good;
    edited[edited.size() - 3] = char(edited[edited.size() - 3] ^ 0x10);
    hg::write_file_atomically(path, edited);
    CHECK(contains(message_of(load), "checksum mismatch"));

    // The epoch edited in the header (same length, still valid JSON).
    edited = good;
    const std::string epoch_entry = "\"epoch\": \"1\"";
    const std::size_t at = edited.find(epoch_entry);
    REQUIRE(at != std::string::npos);
    edited[at + epoch_entry.size() - 2] = '7';
    hg::write_file_atomically(path, edited);
    CHECK(contains(message_of(load), "checksum mismatch"));
    CHECK(other.layer.params()[0]->value[0] == other_w0);

    // Another run's checkpoint: the tag differs.
    hg::write_file_atomically(path, good);
    hg::TrainingState foreign = other.state();
    foreign.tag = {{"test", "another"}};
    const std::string m = message_of([&] { hg::load_training(path, foreign); });
    CHECK(contains(m, "another run"));
    CHECK(contains(m, "\"run\""));

    // A model of another size: both shapes named.
    hg::Rng rng(1);
    hg::Linear wide(5, 4, rng, hg::Init::Xavier, "lin");
    hg::TrainingState shapes{.params = wide.params()};
    const std::string m2 = message_of([&] { hg::load_training(path, shapes); });
    CHECK(contains(m2, "(3, 5)"));
    CHECK(contains(m2, "(4, 5)"));

    // And the good file still loads.
    hg::TrainingState t = other.state();
    CHECK(hg::load_training(path, t));
    CHECK(other.layer.params()[0]->value[0] == w0);
    std::filesystem::remove(path);
  }

  TEST_CASE("a failed save leaves the previous checkpoint whole") {
    const std::string path = temp_path("failed.safetensors");
    Run r;
    hg::TrainingState s = r.state();
    s.epoch = 1;
    hg::save_training(path, s);
    const std::string before = read_bytes(path);
    // A crash that left a half-written temporary behind...
    hg::write_file_atomically(path + ".tmp.keep", before.substr(0, 50));
    std::filesystem::rename(path + ".tmp.keep", path + ".tmp");
    // ...and a save that cannot create its temporary (a directory is there).
    std::filesystem::remove(path + ".tmp");
    std::filesystem::create_directory(path + ".tmp");
    s.epoch = 2;
    CHECK_THROWS_AS(hg::save_training(path, s), hg::Error);
    CHECK(read_bytes(path) == before);
    hg::TrainingState t = r.state();
    CHECK(hg::load_training(path, t));
    CHECK(t.epoch == 1);
    std::filesystem::remove(path + ".tmp");
    std::filesystem::remove(path);
  }

  TEST_CASE("a writer killed mid-save leaves a checkpoint that loads whole") {
    const char* writer = std::getenv("HG_CHECKPOINT_WRITER");
    REQUIRE_MESSAGE(writer != nullptr, "HG_CHECKPOINT_WRITER is not set (run via meson test)");
    const std::string path = temp_path("killed.safetensors");
    hg::Parameter W("W", Tensor({1024, 1024})), b("b", Tensor({1, 1024}));
    hg::TrainingState s{.params = {&W, &b}};
    hg::save_training(path, s);  // epoch 0: all zeros

    hg::Rng rng(5);
    int kills = 0, later = 0;
    for (int round = 0; round < 8; ++round) {
      pid_t pid = 0;
      char* argv[] = {const_cast<char*>(writer), const_cast<char*>(path.c_str()),
                      nullptr};
      REQUIRE(posix_spawn(&pid, writer, nullptr, nullptr, argv, environ) == 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(30 + rng.below(250)));
      REQUIRE(::kill(pid, SIGKILL) == 0);
      int status = 0;
      REQUIRE(::waitpid(pid, &status, 0) == pid);
      kills += WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;

      // Whatever the moment of death, the file is one whole checkpoint:
      // every weight equals the epoch it records.
      hg::TrainingState t{.params = {&W, &b}};
      REQUIRE(hg::load_training(path, t));
      std::size_t torn = 0;
      for (float w : W.value) torn += w != float(t.epoch);
      for (float v : b.value) torn += v != float(t.epoch);
      REQUIRE(torn == 0);
      later += t.epoch > 0;
    }
    CHECK(kills == 8);
    MESSAGE(later, " of 8 kills found a checkpoint the writer had replaced");
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".tmp");
    std::filesystem::remove(path + ".prev");
  }

  TEST_CASE("resume_training refuses a checkpoint past the epochs asked for, changing nothing") {
    const std::string path = temp_path("past.safetensors");
    Run r;
    for (int e = 1; e <= 3; ++e) r.epoch();
    hg::TrainingState s = r.state();
    s.epoch = 10;
    hg::save_training(path, s);

    Run fresh;
    const float w0 = fresh.layer.params()[0]->value[0];
    hg::TrainingState t = fresh.state();
    CHECK(message_of([&] { hg::resume_training(path, t, 5); }) ==
          "load_training " + path + ": the checkpoint is at epoch 10, but "
          "--epochs 5 asks for fewer; run with --epochs ≥ 10 or without --resume");
    CHECK(fresh.layer.params()[0]->value[0] == w0);
    CHECK(fresh.losses.empty());
    CHECK(t.epoch == 0);
    // As far as asked, or further, it resumes.
    CHECK(hg::resume_training(path, t, 10));
    CHECK(t.epoch == 10);
    Run another;
    hg::TrainingState u = another.state();
    CHECK(hg::resume_training(path, u, 12));
    std::filesystem::remove(path);
  }

  TEST_CASE("settings written with exact_text tell apart what six decimals merge") {
    const std::string path = temp_path("lr.safetensors");
    Run r;
    hg::TrainingState s = r.state();
    s.tag["lr"] = hg::exact_text(1e-7f);
    hg::save_training(path, s);
    Run other;
    hg::TrainingState t = other.state();
    t.tag["lr"] = hg::exact_text(4e-7f);
    CHECK(message_of([&] { hg::load_training(path, t); }) ==
          "load_training " + path + ": it was saved by another run (lr is "
          "\"1e-07\" in the file, \"4e-07\" now); expected the same settings");
    t.tag["lr"] = hg::exact_text(1e-7f);
    CHECK(hg::load_training(path, t));
    std::filesystem::remove(path);
  }

  TEST_CASE("the first save over an earlier run's checkpoint keeps it as .prev") {
    const std::string path = temp_path("earlier.safetensors");
    const std::string prev = path + ".prev";
    std::filesystem::remove(prev);
    // An earlier run's file: written by no save_training of this process.
    {
      Run earlier;
      earlier.epoch();
      hg::TrainingState s = earlier.state();
      s.epoch = 7;
      const std::string elsewhere = temp_path("elsewhere.safetensors");
      hg::save_training(elsewhere, s);
      hg::write_file_atomically(path, read_bytes(elsewhere));
      std::filesystem::remove(elsewhere);
    }
    const std::string earlier_bytes = read_bytes(path);

    Run now;
    hg::TrainingState s = now.state();
    s.epoch = 1;
    hg::save_training(path, s);
    CHECK(read_bytes(prev) == earlier_bytes);
    CHECK(read_bytes(path) != earlier_bytes);
    Run reader;
    hg::TrainingState t = reader.state();
    REQUIRE(hg::load_training(prev, t));
    CHECK(t.epoch == 7);

    // This run's own saves replace each other; .prev stays the earlier run's.
    now.epoch();
    s.epoch = 2;
    hg::save_training(path, s);
    CHECK(read_bytes(prev) == earlier_bytes);
    std::filesystem::remove(path);
    std::filesystem::remove(prev);
  }

  TEST_CASE("a directory at the checkpoint's path is named, on save and on load") {
    const std::string path = temp_path("is-a-dir.safetensors");
    std::filesystem::create_directories(path);
    Run r;
    hg::TrainingState s = r.state();
    CHECK(message_of([&] { hg::load_training(path, s); }) ==
          "load_training: " + path + " is a directory, expected a checkpoint "
          "file (remove it, or write the run somewhere else, e.g. with --out)");
    CHECK(message_of([&] { hg::save_training(path, s); }).find(
              "save_training: " + path + " is a directory, expected a checkpoint file") == 0);
    std::filesystem::remove_all(path);
  }
}
