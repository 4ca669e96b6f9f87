// SPDX-License-Identifier: MIT
// A results file whose header lies about a dataset's size (found by the results fuzzer,
// scripts/fuzz.sh): the reader must refuse it with an error naming the file, never allocate
// what the header claims.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/results_file.hpp"

namespace fs = std::filesystem;
using mhsim::analysis::ResultsReader;

namespace {
constexpr hsize_t kCount = 4099;  // a size whose 8-byte pattern is easy to find in the file

std::vector<unsigned char> le64(std::uint64_t v) {
  std::vector<unsigned char> out(8);
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<unsigned char>(v >> (8 * i));
  return out;
}

// Replaces every occurrence of `from` in `bytes` by `to` (same length); returns how many.
int replace_all(std::vector<unsigned char>& bytes, const std::vector<unsigned char>& from,
                const std::vector<unsigned char>& to) {
  int n = 0;
  for (std::size_t at = 0; at + from.size() <= bytes.size(); ++at) {
    if (std::memcmp(bytes.data() + at, from.data(), from.size()) == 0) {
      std::memcpy(bytes.data() + at, to.data(), to.size());
      ++n;
      at += from.size() - 1;
    }
  }
  return n;
}
}  // namespace

TEST_CASE("ResultsFile: a header that claims a huge contiguous dataset is refused, not allocated", "[analysis]") {
  const fs::path dir = fs::temp_directory_path() / ("mhsim_tamper_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path path = dir / "tampered.h5";

  // A contiguous dataset of kCount doubles, and where the file stores it.
  haddr_t offset = 0;
  {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(file >= 0);
    const hid_t space = H5Screate_simple(1, &kCount, nullptr);
    const hid_t ds = H5Dcreate2(file, "x", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<double> values(kCount, 1.5);
    REQUIRE(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
    offset = H5Dget_offset(ds);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(file);
  }
  REQUIRE(offset != HADDR_UNDEF);
  CHECK(ResultsReader(path.string()).read_double("x").size() == kCount);

  std::vector<unsigned char> bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // The layout message holds the data's address then its size in bytes; the dataspace
  // message holds the element count. Claim 2^47 elements stored in 2^50 bytes, far more
  // than the file's own size.
  std::vector<unsigned char> layout = le64(offset), huge_layout = le64(offset);
  const auto size = le64(kCount * 8), huge_size = le64(std::uint64_t{1} << 50);
  layout.insert(layout.end(), size.begin(), size.end());
  huge_layout.insert(huge_layout.end(), huge_size.begin(), huge_size.end());
  REQUIRE(replace_all(bytes, layout, huge_layout) == 1);
  REQUIRE(replace_all(bytes, le64(kCount), le64(std::uint64_t{1} << 47)) >= 1);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  // Either HDF5 refuses the header itself or the reader bounds the claim by the file's size:
  // in both cases a std::runtime_error naming the file, not std::bad_alloc.
  bool refused = false;
  try {
    const ResultsReader reader(path.string());
    (void)reader.read_double("x");
    (void)reader.raw("x");
  } catch (const std::bad_alloc&) {
    FAIL("the reader tried to allocate what the tampered header claims");
  } catch (const std::runtime_error& e) {
    refused = true;
    CHECK_THAT(e.what(), Catch::StartsWith(path.string() + ": "));
  }
  CHECK(refused);
  fs::remove_all(dir);
}
