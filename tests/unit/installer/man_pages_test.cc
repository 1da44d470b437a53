// The man pages (installer/man/) against the programs as built: each of the
// five programs is run with --help, and so is every subcommand its help
// lists, down to the last level. The rules:
//
//  * The page has the sections NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
//    EXIT STATUS, FILES and SEE ALSO, and COMMANDS when the program has
//    subcommands.
//  * Every long option of the program itself (--help and --version too)
//    appears in OPTIONS.
//  * Every command (a path such as "stock adjust") has an entry in COMMANDS:
//    a .TP whose tag starts with the path. The entry runs to the next
//    command's tag; every long option the command's --help lists (but
//    --help) appears in it. A command that has subcommands is covered by
//    theirs.
//  * And the other way: every .TP tag in COMMANDS starts with a command the
//    help has (a path without subcommands), and every long option the page
//    documents is one the program has: in OPTIONS, one of the program's
//    own; in a command's entry, one of that command's or the program's.
//  * groff -ww -man -z renders the page without a warning.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/run_program.h"
#include "tests/support/text_file.h"

namespace storeagent::testing {
namespace {

const std::string kSourceDir = STOREAGENT_SOURCE_DIR;

struct Program {
  std::string name;
  std::string binary;
  std::string page;  // under installer/man/
};

const std::vector<Program>& Programs() {
  static const std::vector<Program> kPrograms = {
      {"storeagentd", STOREAGENT_AGENT_BIN_DIR "/storeagentd", "storeagentd.8"},
      {"storeagentctl", STOREAGENT_AGENT_BIN_DIR "/storeagentctl",
       "storeagentctl.1"},
      {"storeagent-possim", STOREAGENT_AGENT_BIN_DIR "/storeagent-possim",
       "storeagent-possim.1"},
      {"storeagent-verify", STOREAGENT_AGENT_BIN_DIR "/storeagent-verify",
       "storeagent-verify.1"},
      {"storecentrald", STORECENTRAL_BIN_DIR "/storecentrald",
       "storecentrald.8"},
      {"storecentralctl", STORECENTRAL_BIN_DIR "/storecentralctl",
       "storecentralctl.1"},
  };
  return kPrograms;
}

// ------------------------------------------------------------ the help --

struct Command {
  std::string path;  // "" for the program itself, else "stock adjust"
  std::vector<std::string> options;  // long options, "--db"
  bool has_subcommands = false;
};

// The program's command tree from its --help texts (at most 4 levels).
void CollectCommands(const std::string& binary,
                     const std::vector<std::string>& path,
                     std::vector<Command>* out) {
  ASSERT_LT(path.size(), 4u) << "commands nested deeper than expected";
  std::vector<std::string> argv = {binary};
  argv.insert(argv.end(), path.begin(), path.end());
  argv.push_back("--help");
  RunResult r = RunProgram(argv);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Command c;
  for (size_t i = 0; i < path.size(); ++i) c.path += (i ? " " : "") + path[i];
  std::vector<std::string> subcommands;
  std::istringstream in(r.out);
  std::string line;
  std::string section;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      section = line;
      continue;
    }
    // An item starts two spaces in; its wrapped text is indented further.
    if (line.size() < 3 || line.compare(0, 2, "  ") != 0 || line[2] == ' ') {
      continue;
    }
    const std::string first = line.substr(2, line.find(' ', 2) - 2);
    if (section == "Options:") {
      std::istringstream names(first);
      std::string name;
      while (std::getline(names, name, ',')) {
        if (name.rfind("--", 0) == 0) c.options.push_back(name);
      }
    } else if (section == "Subcommands:") {
      subcommands.push_back(first);
    }
  }
  c.has_subcommands = !subcommands.empty();
  out->push_back(c);
  for (const std::string& sub : subcommands) {
    std::vector<std::string> deeper = path;
    deeper.push_back(sub);
    CollectCommands(binary, deeper, out);
  }
}

// ------------------------------------------------------------ the page --

// What a man page says, as plain text: sections by name, each a list of
// lines; a .TP tag line starts with "\x01" so entries can be found.
using Sections = std::map<std::string, std::vector<std::string>>;

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    if (c == 'f') {  // font: \fB, \fI, \fR, \fP, \f(XX
      if (i + 1 < s.size() && s[i + 1] == '(') {
        i += 3;
      } else {
        i += 1;
      }
    } else if (c == '(' && i + 2 < s.size()) {  // \(dq, \(em, ...
      const std::string name = s.substr(i + 1, 2);
      out += name == "dq"   ? "\""
             : name == "aq" ? "'"
             : name == "em" ? "—"
                            : "?";
      i += 2;
    } else if (c == '-') {
      out += '-';
    } else if (c == 'e') {
      out += '\\';
    } else if (c == ' ' || c == '~') {
      out += ' ';
    } else if (c == '&' || c == ':' || c == '/' || c == ',' || c == '%') {
      // zero-width
    } else {
      out += c;
    }
  }
  return out;
}

// A macro line's arguments, double quotes grouping.
std::vector<std::string> MacroArgs(const std::string& rest) {
  std::vector<std::string> args;
  std::string cur;
  bool quoted = false;
  bool any = false;
  for (char c : rest) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) args.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) args.push_back(cur);
  return args;
}

Sections ReadPage(const std::string& roff) {
  Sections sections;
  std::string section = "(before NAME)";
  bool next_is_tag = false;
  std::istringstream in(roff);
  std::string line;
  std::string pending;
  while (std::getline(in, line)) {
    // "\" at the end of a line continues it.
    if (!line.empty() && line.back() == '\\' &&
        (line.size() < 2 || line[line.size() - 2] != '\\')) {
      pending += line.substr(0, line.size() - 1);
      continue;
    }
    line = pending + line;
    pending.clear();
    if (line.rfind(".\\\"", 0) == 0) continue;  // comment
    std::string text;
    if (!line.empty() && (line[0] == '.' || line[0] == '\'')) {
      const size_t space = line.find(' ');
      const std::string macro = line.substr(1, space - 1);
      const std::vector<std::string> args =
          MacroArgs(space == std::string::npos ? "" : line.substr(space + 1));
      const bool alternating =
          macro.size() == 2 &&
          std::string("BIR").find(macro[0]) != std::string::npos &&
          std::string("BIR").find(macro[1]) != std::string::npos;
      if (macro == "SH" || macro == "SS") {
        std::string name;
        for (const std::string& a : args) name += (name.empty() ? "" : " ") + a;
        if (macro == "SH") {
          section = Unescape(name);
          sections[section];
          continue;
        }
        text = name;
      } else if (macro == "TP") {
        next_is_tag = true;
        continue;
      } else if (macro == "B" || macro == "I" || macro == "SB" ||
                 macro == "SM" || alternating) {
        for (const std::string& a : args) {
          text += (text.empty() || alternating ? "" : " ") + a;
        }
      } else {
        continue;  // .PP, .RS, .nf, .br, .TH ...: no words
      }
    } else {
      text = line;
    }
    text = Unescape(text);
    if (next_is_tag) {
      text = "\x01" + text;
      next_is_tag = false;
    }
    sections[section].push_back(text);
  }
  return sections;
}

// `option` ("--db") as a whole word in `text`.
bool HasOption(const std::string& text, const std::string& option) {
  auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  };
  for (size_t at = text.find(option); at != std::string::npos;
       at = text.find(option, at + 1)) {
    const size_t end = at + option.size();
    if ((at == 0 || !word(text[at - 1])) &&
        (end == text.size() || !word(text[end]))) {
      return true;
    }
  }
  return false;
}

bool TagStartsWith(const std::string& line, const std::string& path) {
  if (line.empty() || line[0] != '\x01') return false;
  const std::string tag = line.substr(1);
  return tag.rfind(path, 0) == 0 &&
         (tag.size() == path.size() || tag[path.size()] == ' ');
}

// The long options ("--db") named in `text`, in order.
std::vector<std::string> LongOptions(const std::string& text) {
  static const std::regex kOption(
      R"((^|[^A-Za-z0-9_-])(--[a-z0-9][a-z0-9-]*))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kOption);
       it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[2]);
  }
  return out;
}

std::string FindOnPath(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + tool;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// The problems of `page` against `commands`; empty when none.
std::vector<std::string> CheckPage(const Sections& page,
                                   const std::vector<Command>& commands) {
  std::vector<std::string> problems;
  std::vector<std::string> required = {"NAME",    "SYNOPSIS",    "DESCRIPTION",
                                       "OPTIONS", "EXIT STATUS", "FILES",
                                       "SEE ALSO"};
  if (commands.size() > 1) required.push_back("COMMANDS");
  for (const std::string& s : required) {
    if (!page.count(s)) problems.push_back("no section " + s);
  }
  auto joined = [&](const std::string& section) {
    std::string all;
    auto it = page.find(section);
    if (it != page.end()) {
      for (const std::string& l : it->second) all += l + "\n";
    }
    return all;
  };
  const std::string options = joined("OPTIONS");
  for (const std::string& o : commands.front().options) {
    if (!HasOption(options, o)) {
      problems.push_back("OPTIONS does not document " + o);
    }
  }
  if (commands.size() == 1) return problems;

  static const std::vector<std::string> kNone;
  auto it = page.find("COMMANDS");
  const std::vector<std::string>& lines = it == page.end() ? kNone : it->second;
  auto is_command_tag = [&](const std::string& line) {
    for (const Command& c : commands) {
      if (!c.path.empty() && !c.has_subcommands && TagStartsWith(line, c.path))
        return true;
    }
    return false;
  };
  for (const Command& c : commands) {
    if (c.path.empty()) continue;
    if (c.has_subcommands) {
      bool covered = false;
      for (const std::string& l : lines) covered |= TagStartsWith(l, c.path);
      if (!covered) problems.push_back("COMMANDS has no entry for " + c.path);
      continue;
    }
    size_t at = 0;
    while (at < lines.size() && !TagStartsWith(lines[at], c.path)) ++at;
    if (at == lines.size()) {
      problems.push_back("COMMANDS has no entry (.TP tag) for " + c.path);
      continue;
    }
    std::string entry = lines[at] + "\n";
    for (size_t i = at + 1; i < lines.size() && !is_command_tag(lines[i]);
         ++i) {
      entry += lines[i] + "\n";
    }
    for (const std::string& o : c.options) {
      if (o == "--help") continue;
      if (!HasOption(entry, o)) {
        problems.push_back("the entry of " + c.path + " does not document " +
                           o);
      }
    }
  }

  // The other way: what the page documents, the program has.
  auto has = [](const std::vector<std::string>& list, const std::string& o) {
    return std::find(list.begin(), list.end(), o) != list.end();
  };
  for (const std::string& o : LongOptions(options)) {
    if (!has(commands.front().options, o)) {
      problems.push_back("OPTIONS documents " + o +
                         ", which the program's --help does not list");
    }
  }
  for (size_t at = 0; at < lines.size(); ++at) {
    if (lines[at].empty() || lines[at][0] != '\x01') continue;
    const Command* command = nullptr;
    for (const Command& c : commands) {
      if (!c.path.empty() && !c.has_subcommands &&
          TagStartsWith(lines[at], c.path) &&
          (command == nullptr || c.path.size() > command->path.size())) {
        command = &c;
      }
    }
    std::string entry = lines[at].substr(1) + "\n";
    for (size_t i = at + 1; i < lines.size() && lines[i][0] != '\x01'; ++i) {
      entry += lines[i] + "\n";
    }
    if (command == nullptr) {
      // Name it as far as the help's commands go, and one word more.
      std::istringstream words(lines[at].substr(1));
      std::string name;
      std::string word;
      while (words >> word) {
        name += (name.empty() ? "" : " ") + word;
        bool group = false;
        for (const Command& c : commands) {
          group |= c.has_subcommands && c.path == name;
        }
        if (!group) break;
      }
      problems.push_back("COMMANDS documents " + name +
                         ", which the program's --help does not list");
      continue;
    }
    for (const std::string& o : LongOptions(entry)) {
      if (!has(command->options, o) && !has(commands.front().options, o)) {
        problems.push_back("the entry of " + command->path + " documents " + o +
                           ", which its --help does not list");
      }
    }
  }
  return problems;
}

// ---------------------------------------------------------------- tests --

TEST(ManPagesTest, ThePageAndTheHelpHaveTheSameCommandsAndOptions) {
  for (const Program& p : Programs()) {
    SCOPED_TRACE(p.name);
    std::vector<Command> commands;
    CollectCommands(p.binary, {}, &commands);
    ASSERT_FALSE(commands.empty());
    ASSERT_THAT(commands.front().options, ::testing::Contains("--version"));
    const std::string roff = ReadText(kSourceDir + "/installer/man/" + p.page);
    ASSERT_FALSE(roff.empty()) << p.page;
    const Sections page = ReadPage(roff);
    // A page with commands belongs to a program whose help lists some: the
    // help was read, not skipped.
    if (page.count("COMMANDS")) {
      EXPECT_GT(commands.size(), 5u);
    }
    EXPECT_THAT(CheckPage(page, commands), ::testing::IsEmpty());
  }
}

TEST(ManPagesTest, PagesRenderWithoutWarnings) {
  const std::string groff = FindOnPath("groff");
  ASSERT_FALSE(groff.empty()) << "groff not found (scripts/install-deps)";
  for (const Program& p : Programs()) {
    SCOPED_TRACE(p.page);
    RunResult r = RunProgram(
        {groff, "-ww", "-man", "-z", kSourceDir + "/installer/man/" + p.page});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
  }
}

// The check finds what is missing: a command, an option of one, an option
// of the program, a section.
TEST(ManPagesTest, TheCheckReportsWhatIsMissing) {
  const std::string roff =
      ".TH X 1\n.SH NAME\nx\n.SH SYNOPSIS\nx\n.SH DESCRIPTION\nx\n"
      ".SH OPTIONS\n.TP\n.BR \\-h \", \" \\-\\-help\nhelp\n"
      ".SH COMMANDS\n.TP\n.B stock show \\fR[\\fB\\-\\-all\\fR]\nshow\n"
      ".TP\n.B stock adjust\nadjust; see also\n.B \\-\\-reason\n"
      ".SH EXIT STATUS\n0\n.SH SEE ALSO\nx\n";
  const std::vector<Command> commands = {
      {"", {"--help", "--version"}, true},
      {"stock", {"--help"}, true},
      {"stock show", {"--help", "--all"}, false},
      {"stock adjust", {"--help", "--reason", "--note"}, false},
      {"stock count", {"--help"}, false},
  };
  EXPECT_THAT(CheckPage(ReadPage(roff), commands),
              ::testing::UnorderedElementsAre(
                  "no section FILES", "OPTIONS does not document --version",
                  "the entry of stock adjust does not document --note",
                  "COMMANDS has no entry (.TP tag) for stock count"));
}

// The other way: a command, an option of one and an option of the program
// that the page documents but the help does not list.
TEST(ManPagesTest, TheCheckReportsWhatTheProgramNoLongerHas) {
  const std::string roff =
      ".TH X 1\n.SH NAME\nx\n.SH SYNOPSIS\nx\n.SH DESCRIPTION\nx\n"
      ".SH OPTIONS\n.TP\n.BR \\-h \", \" \\-\\-help\nhelp\n"
      ".TP\n.B \\-\\-version\n.TP\n.B \\-\\-verbose\ngone\n"
      ".SH COMMANDS\n.TP\n.B stock show \\fR[\\fB\\-\\-all\\fR]\nshow\n"
      ".TP\n.B stock adjust \\fISKU\\fR \\fB\\-\\-reason\\fR \\fIR\\fR\n"
      "also \\fB\\-\\-version\\fR and \\fB\\-\\-force\\fR\n"
      ".TP\n.B stock recount \\fISKU\\fR\ngone\n"
      ".TP\n.B frobnicate\ngone\n"
      ".SH EXIT STATUS\n0\n.SH FILES\nx\n.SH SEE ALSO\nx\n";
  const std::vector<Command> commands = {
      {"", {"--help", "--version"}, true},
      {"stock", {"--help"}, true},
      {"stock show", {"--help", "--all"}, false},
      {"stock adjust", {"--help", "--reason"}, false},
  };
  EXPECT_THAT(
      CheckPage(ReadPage(roff), commands),
      ::testing::UnorderedElementsAre(
          "OPTIONS documents --verbose, which the program's --help does not "
          "list",
          "the entry of stock adjust documents --force, which its --help "
          "does not list",
          "COMMANDS documents stock recount, which the program's --help does "
          "not list",
          "COMMANDS documents frobnicate, which the program's --help does not "
          "list"));
}

}  // namespace
}  // namespace storeagent::testing
