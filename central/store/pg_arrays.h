// PostgreSQL array literals, for passing a whole column of a batch as one
// text parameter ($2::bigint[], $3::text[]) so a batch of any size is one
// statement. Only pg_central_store.cc and its tests use them.
#ifndef STOREAGENT_CENTRAL_STORE_PG_ARRAYS_H_
#define STOREAGENT_CENTRAL_STORE_PG_ARRAYS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace storeagent::central {

// {1,2,3}
std::string IntArray(const std::vector<int64_t>& values);
// {"a","b"}: every element quoted, backslash and double quote escaped, so
// any text (commas, braces, the word NULL, the empty string) survives. Text
// with a NUL byte cannot be stored in PostgreSQL at all.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace storeagent::central

#endif  // STOREAGENT_CENTRAL_STORE_PG_ARRAYS_H_
