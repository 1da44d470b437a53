// CsvReader: RFC 4180 text split into records of fields, with the line each
// record started on, for the files people hand the programs (the agent's
// catalog import, head office's price and promotion imports). Fields may be
// quoted ("" is one quote, quoted fields may span lines); a leading UTF-8
// BOM and CRLF line ends are accepted; blank lines are skipped. Errors are
// INVALID_ARGUMENT "line N, column NAME: what" once the caller named the
// columns (set_column_names), "field K" before.
#ifndef STOREAGENT_PLATFORM_CSV_READER_H_
#define STOREAGENT_PLATFORM_CSV_READER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/status.h"

namespace storeagent {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") text_.remove_prefix(3);  // BOM
  }

  // The next record into `fields`; false at the end. Skips blank lines.
  Result<bool> Next(std::vector<std::string>& fields) {
    for (;;) {
      if (pos_ >= text_.size()) return false;
      line_ = next_line_;
      fields.clear();
      STOREAGENT_RETURN_IF_ERROR(ReadRecord(fields));
      if (fields.size() == 1 && fields[0].empty() && !quoted_) continue;
      return true;
    }
  }

  // Line the last record started on, 1-based.
  int64_t line() const { return line_; }

  // Names of the columns, for errors once the header is known.
  void set_column_names(std::vector<std::string> names) {
    names_ = std::move(names);
  }

 private:
  Status ReadRecord(std::vector<std::string>& fields) {
    quoted_ = false;
    for (;;) {
      fields.emplace_back();
      std::string& f = fields.back();
      const size_t column = fields.size();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        quoted_ = true;
        STOREAGENT_RETURN_IF_ERROR(ReadQuoted(f, column));
      } else {
        const size_t start = pos_;
        while (pos_ < text_.size() && text_[pos_] != ',' &&
               text_[pos_] != '\n' && text_[pos_] != '"') {
          ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == '"') {
          return Error(column,
                       "a quote inside an unquoted field (quote the "
                       "whole field and double the quote)");
        }
        f.assign(text_.substr(start, pos_ - start));
        if (!f.empty() && f.back() == '\r' &&
            (pos_ >= text_.size() || text_[pos_] == '\n')) {
          f.pop_back();
        }
      }
      if (pos_ >= text_.size()) return Status::Ok();
      if (text_[pos_++] == '\n') {
        ++next_line_;
        return Status::Ok();
      }
    }
  }

  // A quoted field from the opening quote to just after the closing one.
  Status ReadQuoted(std::string& f, size_t column) {
    const int64_t started = next_line_;
    ++pos_;
    for (;;) {
      const size_t q = text_.find('"', pos_);
      if (q == std::string_view::npos) {
        return InvalidArgument("line " + std::to_string(started) + ", " +
                               ColumnName(column) +
                               ": quoted field never closed");
      }
      const std::string_view part = text_.substr(pos_, q - pos_);
      next_line_ += std::count(part.begin(), part.end(), '\n');
      f.append(part);
      pos_ = q + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {  // "" is one quote
        f.push_back('"');
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ < text_.size() && text_[pos_] == '\r' &&
        (pos_ + 1 == text_.size() || text_[pos_ + 1] == '\n')) {
      ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n') {
      return Error(column, "text after the closing quote");
    }
    return Status::Ok();
  }

  // "column price_minor", or "field 9" beyond the header or before it.
  std::string ColumnName(size_t column) const {
    return column <= names_.size() ? "column " + names_[column - 1]
                                   : "field " + std::to_string(column);
  }

  Status Error(size_t column, const std::string& what) const {
    return InvalidArgument("line " + std::to_string(next_line_) + ", " +
                           ColumnName(column) + ": " + what);
  }

  std::string_view text_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t next_line_ = 1;
  bool quoted_ = false;
  std::vector<std::string> names_;
};

}  // namespace storeagent

#endif  // STOREAGENT_PLATFORM_CSV_READER_H_
