#include "platform/cli.h"

#include <algorithm>
#include <cstdio>

#include "version_info.h"

namespace storeagent::platform {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The deepest subcommand the command line selected (the app itself when
// none).
const CLI::App* Deepest(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) return Deepest(*sub);
  return &app;
}

std::vector<std::string> SubcommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

int UsageError(const CLI::App& app, const std::string& what) {
  std::fprintf(stderr, "%s: %s\nRun '%s --help' for usage.\n",
               app.get_name().c_str(), what.c_str(), app.get_name().c_str());
  return kExitUsage;
}

}  // namespace

std::string VersionText(std::string_view program) {
  return std::string(program) + " " + STOREAGENT_BUILD_VERSION + " (git " +
         STOREAGENT_GIT_REVISION + ", " + STOREAGENT_BUILD_TYPE + ")";
}

void AddVersionFlag(CLI::App& app) {
  app.set_version_flag("--version", VersionText(app.get_name()),
                       "Print the version, source revision and build type");
}

std::string NearestWord(std::string_view word,
                        const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 3;  // more than 2 is not near
  int prefix_of = 0;
  std::string prefixed;
  for (const std::string& c : candidates) {
    if (!word.empty() && c.rfind(word, 0) == 0) {
      ++prefix_of;
      prefixed = c;
    }
    const size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (!best.empty()) return best;
  return prefix_of == 1 ? prefixed : "";
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc,
                                    const char* const* argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::Success& e) {  // --help, --help-all, --version
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  } catch (const CLI::ParseError& e) {
    const CLI::App* at = Deepest(app);
    const std::vector<std::string> names = SubcommandNames(*at);
    const std::vector<std::string> left = app.remaining(true);
    // An option nobody knows is the first thing to say (CLI11 checks a
    // required subcommand before it complains about extras).
    for (const std::string& w : left) {
      // "-5" is a (negative) value, not an option.
      if (w.size() > 1 && w[0] == '-' && !(w[1] >= '0' && w[1] <= '9')) {
        return UsageError(app, "unknown option '" + w + "'");
      }
    }
    // Where commands were expected, say which word was not one, and the
    // nearest that is; or list them when none was given.
    if (!names.empty()) {
      std::string word;
      if (!left.empty()) word = left.front();
      std::string path = app.get_name();
      for (const CLI::App* a = &app; a != at;) {
        a = a->get_subcommands().front();
        path += " " + a->get_name();
      }
      if (!word.empty()) {
        const std::string near = NearestWord(word, names);
        return UsageError(
            app, "'" + word + "' is not a command of '" + path + "'" +
                     (near.empty() ? std::string()
                                   : "; did you mean '" + near + "'?"));
      }
      if (e.get_name() == "RequiredError" &&
          std::string(e.what()).find("subcommand") != std::string::npos) {
        std::string list;
        for (const std::string& n : names)
          list += (list.empty() ? "" : ", ") + n;
        return UsageError(app, "'" + path + "' needs a command: " + list);
      }
    }
    return UsageError(app, e.what());
  }
}

}  // namespace storeagent::platform
