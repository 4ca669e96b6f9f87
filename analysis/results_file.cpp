// SPDX-License-Identifier: MIT
#include "analysis/results_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "analysis/results_descriptions.hpp"

namespace mhsim::analysis {

// Set when HDF5 failed to create or close a file (a full disk). HDF5
// 1.10 cannot tidy up after a failed close: its exit handler then follows freed state and
// the process dies with SIGSEGV after it has reported the error; and it leaks on a failed
// create. So the library is closed at exit by us, and not at all once either happened (the
// process is ending; the kernel frees the rest).
std::atomic<bool> g_hdf5_unclean{false};

}  // namespace mhsim::analysis

// LeakSanitizer's hook: no leak check in a process that is ending after HDF5 failed to create
// or close a file, as HDF5 cannot free what it holds then. Every other run of a sanitizer
// build is checked in full.
extern "C" int __lsan_is_turned_off();
extern "C" int __lsan_is_turned_off() { return mhsim::analysis::g_hdf5_unclean.load() ? 1 : 0; }

namespace mhsim::analysis {

namespace {

// Rows per chunk: big enough to compress well, small enough that writing one replication
// touches one cached chunk.
constexpr hsize_t kChunkRows = 256;

namespace fs = std::filesystem;

void quiet_hdf5() {
  static const bool once = [] {
    H5dont_atexit();  // before any other HDF5 call initialises the library
    std::atexit([] {
      if (!g_hdf5_unclean.load()) H5close();
    });
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

[[noreturn]] void fail(const std::string& what, const std::string& file) {
  throw std::runtime_error(file + ": " + what);
}

// The number of elements of a dataset, to read them into memory `element_size` bytes each.
// A damaged file can make HDF5 fail to tell (-1) or declare far more elements than the file
// stores: deflate packs at most about 1,032 bytes into one, so a dataset holds at most 1,100
// times its stored bytes (or 1 MiB). More is refused, naming the file, rather than allocated
// (std::length_error, std::bad_alloc or memory exhausted). Found by tests/fuzz/results_fuzz.
std::size_t element_count(hid_t dataset, hid_t space, std::size_t element_size, const std::string& path,
                          const std::string& file) {
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0) fail("cannot read the shape of dataset '" + path + "'", file);
  const auto count = static_cast<std::uint64_t>(n);
  // HDF5 takes a contiguous dataset's storage size from its layout message without checking
  // it against the file: a tampered header can claim any size. No dataset stores more bytes
  // than the file holds, so the file's size bounds it.
  std::uint64_t stored = H5Dget_storage_size(dataset);
  if (const hid_t owner = H5Iget_file_id(dataset); owner >= 0) {
    hsize_t file_bytes = 0;
    if (H5Fget_filesize(owner, &file_bytes) >= 0) stored = std::min<std::uint64_t>(stored, file_bytes);
    H5Fclose(owner);
  }
  constexpr std::uint64_t kMaxBytes = static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max());
  const std::uint64_t limit = std::min(kMaxBytes, std::max<std::uint64_t>(std::uint64_t{1} << 20,
                                                                          stored > kMaxBytes / 1100 ? kMaxBytes : stored * 1100));
  if (element_size > 0 && count > limit / element_size) {
    fail("dataset '" + path + "' declares " + std::to_string(count) + " elements of " + std::to_string(element_size) +
             " bytes, more than its " + std::to_string(stored) + " stored bytes can hold",
         file);
  }
  return static_cast<std::size_t>(count);
}

// The operating system's reason for the HDF5 call that just failed ("No space left on
// device"), from HDF5's error stack ("..., errno = 28, error message = ..."); "" if none.
herr_t find_errno(unsigned, const H5E_error2_t* e, void* data) {
  const char* at = e->desc ? std::strstr(e->desc, "errno = ") : nullptr;
  if (at == nullptr) return 0;
  const int err = std::atoi(at + 8);
  if (err <= 0) return 0;
  *static_cast<int*>(data) = err;
  return 1;  // the innermost cause is enough
}

std::string hdf5_os_reason() {
  int err = 0;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, find_errno, &err);
  return err > 0 ? std::strerror(err) : std::string();
}

// Creates the empty temporary `temp` of `path` before HDF5 opens it, so that a folder that
// is missing or read-only is reported with its reason and HDF5 never sees it fail (its
// failed create leaks, see g_hdf5_unclean).
void create_temporary(const std::string& temp, const std::string& path) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw WriteError(path + ": cannot create its temporary file " + temp + ": " + std::strerror(errno));
  ::close(fd);
}

// For a failed HDF5 write: names the file, what failed and the operating system's reason.
[[noreturn]] void fail_write(const std::string& what, const std::string& file) {
  const std::string reason = hdf5_os_reason();
  throw WriteError(file + ": " + what + (reason.empty() ? std::string() : ": " + reason));
}

hid_t native(ResultsWriter::Type t) {
  return t == ResultsWriter::Type::kFloat64 ? H5T_NATIVE_DOUBLE : H5T_NATIVE_UINT64;
}

// RAII for HDF5 identifiers inside one function.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Id() {
    if (id >= 0) close(id);
  }
};

hid_t string_type() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void ensure_parent_groups(hid_t file, const std::string& path, const std::string& filename) {
  for (std::size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    const std::string group = path.substr(0, pos);
    if (group.empty()) continue;
    if (H5Lexists(file, group.c_str(), H5P_DEFAULT) > 0) continue;
    const hid_t g = H5Gcreate2(file, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0) fail("cannot create group '" + group + "'", filename);
    H5Gclose(g);
  }
}

// Attributes are set, not appended: writing one again replaces it.
void replace_attribute(hid_t file, const std::string& name) {
  if (H5Aexists(file, name.c_str()) > 0) H5Adelete(file, name.c_str());
}

}  // namespace

// ---------------------------------------------------------------------------------------
ResultsWriter::ResultsWriter(std::string final_path, std::uint64_t rows, std::uint64_t first_row)
    : final_path_(std::move(final_path)), rows_(rows), first_row_(first_row) {
  quiet_hdf5();
  temp_path_ = output_.stage(final_path_, OutputFiles::Parents::kMustExist);
  create_file();
}

void ResultsWriter::create_file() {
  create_temporary(temp_path_, final_path_);
  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  // Latest format would tie files to HDF5 >= 1.10 readers; keep the default (widest) format.
  file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id);
  if (file_ < 0) {
    g_hdf5_unclean.store(true);
    fail_write("cannot create its temporary file " + temp_path_, final_path_);
  }
}

ResultsWriter::ResultsWriter(OutputFiles& files, std::string final_path, std::uint64_t rows)
    : final_path_(std::move(final_path)), shared_output_(&files), rows_(rows) {
  quiet_hdf5();
  temp_path_ = files.stage(final_path_, OutputFiles::Parents::kCreate);
  create_file();
}

ResultsWriter ResultsWriter::in_memory(std::uint64_t rows, std::uint64_t first_row) {
  quiet_hdf5();
  ResultsWriter w;
  w.rows_ = rows;
  w.first_row_ = first_row;
  w.memory_ = true;
  w.temp_path_ = "in-memory results block";
  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  H5Pset_fapl_core(fapl.id, 1 << 20, 0);  // grow by 1 MiB; no backing file
  w.file_ = H5Fcreate("mhsim-in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id);
  if (w.file_ < 0) fail("cannot create an in-memory HDF5 file", w.temp_path_);
  return w;
}

ResultsWriter::ResultsWriter(ResultsWriter&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      output_(std::move(other.output_)),
      shared_output_(other.shared_output_),
      rows_(other.rows_),
      first_row_(other.first_row_),
      file_(other.file_),
      datasets_(std::move(other.datasets_)),
      committed_(other.committed_),
      memory_(other.memory_),
      described_(other.described_) {
  other.file_ = -1;
  other.datasets_.clear();
  other.committed_ = true;  // the moved-from writer owns nothing to clean up
}

ResultsWriter::~ResultsWriter() {
  if (committed_) return;
  close_all();
  output_.discard();  // the temporary file
}

std::vector<unsigned char> ResultsWriter::image() {
  if (!memory_) fail("image() is only for in-memory results", temp_path_);
  describe_datasets();
  if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) fail("cannot flush", temp_path_);
  const ssize_t size = H5Fget_file_image(file_, nullptr, 0);
  if (size < 0) fail("cannot take the file image", temp_path_);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (H5Fget_file_image(file_, bytes.data(), bytes.size()) != size) fail("cannot copy the file image", temp_path_);
  return bytes;
}

bool ResultsWriter::close_all() noexcept {
  bool ok = true;
  for (auto& [path, ds] : datasets_) ok = H5Dclose(ds.id) >= 0 && ok;
  datasets_.clear();
  if (file_ >= 0) ok = H5Fclose(file_) >= 0 && ok;
  file_ = -1;
  if (!ok) g_hdf5_unclean.store(true);
  return ok;
}

void ResultsWriter::attribute(const std::string& name, const std::string& value) {
  replace_attribute(file_, name);
  Id type{string_type(), H5Tclose};
  Id space{H5Screate(H5S_SCALAR), H5Sclose};
  Id attr{H5Acreate2(file_, name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  const char* p = value.c_str();
  if (attr.id < 0 || H5Awrite(attr.id, type.id, &p) < 0) fail("cannot write attribute '" + name + "'", temp_path_);
}

void ResultsWriter::attribute(const std::string& name, std::uint64_t value) {
  replace_attribute(file_, name);
  Id space{H5Screate(H5S_SCALAR), H5Sclose};
  Id attr{H5Acreate2(file_, name.c_str(), H5T_STD_U64LE, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (attr.id < 0 || H5Awrite(attr.id, H5T_NATIVE_UINT64, &value) < 0) {
    fail("cannot write attribute '" + name + "'", temp_path_);
  }
}

void ResultsWriter::attribute(const std::string& name, double value) {
  replace_attribute(file_, name);
  Id space{H5Screate(H5S_SCALAR), H5Sclose};
  Id attr{H5Acreate2(file_, name.c_str(), H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  if (attr.id < 0 || H5Awrite(attr.id, H5T_NATIVE_DOUBLE, &value) < 0) {
    fail("cannot write attribute '" + name + "'", temp_path_);
  }
}

void ResultsWriter::attribute(const std::string& name, const AttributeValue& value) {
  std::visit([&](const auto& v) { attribute(name, v); }, value);
}

void ResultsWriter::labels(const std::string& path, const std::vector<std::string>& names) {
  ensure_parent_groups(file_, path, temp_path_);
  Id type{string_type(), H5Tclose};
  const hsize_t n = names.size();
  Id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
  Id ds{H5Dcreate2(file_, path.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
  std::vector<const char*> ptrs;
  for (const std::string& s : names) ptrs.push_back(s.c_str());
  if (ds.id < 0 || (n > 0 && H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)) {
    fail("cannot write dataset '" + path + "'", temp_path_);
  }
}

void ResultsWriter::labels(const std::string& path, const std::vector<std::string>& names,
                           const std::vector<std::uint64_t>& shape) {
  std::uint64_t n = 1;
  for (const std::uint64_t d : shape) n *= d;
  if (shape.empty() || n != names.size()) fail("dataset '" + path + "': labels do not fill their shape", temp_path_);
  ensure_parent_groups(file_, path, temp_path_);
  Id type{string_type(), H5Tclose};
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  Id space{H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose};
  Id ds{H5Dcreate2(file_, path.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
  std::vector<const char*> ptrs;
  for (const std::string& s : names) ptrs.push_back(s.c_str());
  if (ds.id < 0 || (n > 0 && H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)) {
    fail("cannot write dataset '" + path + "'", temp_path_);
  }
}

void ResultsWriter::constants(const std::string& path, const std::vector<double>& values) {
  ensure_parent_groups(file_, path, temp_path_);
  const hsize_t n = values.size();
  Id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
  Id ds{H5Dcreate2(file_, path.c_str(), H5T_IEEE_F64LE, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
  if (ds.id < 0 || (n > 0 && H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)) {
    fail("cannot write dataset '" + path + "'", temp_path_);
  }
}

void ResultsWriter::define(const std::string& path, Type type, std::uint64_t columns) {
  define_shape(path, type, columns == 0 ? std::vector<std::uint64_t>{} : std::vector<std::uint64_t>{columns});
}

void ResultsWriter::define_shape(const std::string& path, Type type, const std::vector<std::uint64_t>& row_shape) {
  std::vector<std::uint64_t> chunk{std::min<std::uint64_t>(kChunkRows, std::max<std::uint64_t>(rows_, 1))};
  for (const std::uint64_t d : row_shape) chunk.push_back(std::max<std::uint64_t>(d, 1));
  define_shape(path, type, row_shape, chunk);
}

void ResultsWriter::define_shape(const std::string& path, Type type, const std::vector<std::uint64_t>& row_shape,
                                 const std::vector<std::uint64_t>& chunk_shape) {
  if (chunk_shape.size() != row_shape.size() + 1) fail("dataset '" + path + "': a chunk shape of the wrong rank", temp_path_);
  ensure_parent_groups(file_, path, temp_path_);
  std::vector<hsize_t> dims{rows_};
  const std::vector<hsize_t> chunk(chunk_shape.begin(), chunk_shape.end());
  std::uint64_t row_elements = 1;
  for (const std::uint64_t d : row_shape) {
    dims.push_back(d);
    row_elements *= d;
  }
  const int rank = static_cast<int>(dims.size());
  Id space{H5Screate_simple(rank, dims.data(), nullptr), H5Sclose};
  Id dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  H5Pset_chunk(dcpl.id, rank, chunk.data());
  H5Pset_shuffle(dcpl.id);
  H5Pset_deflate(dcpl.id, 4);
  // Rows never written (a run that failed) read back as NaN / 0, never as garbage.
  if (type == Type::kFloat64) {
    const double fill = std::numeric_limits<double>::quiet_NaN();
    H5Pset_fill_value(dcpl.id, H5T_NATIVE_DOUBLE, &fill);
  }
  const hid_t file_type = type == Type::kFloat64 ? H5T_IEEE_F64LE : H5T_STD_U64LE;
  // A chunk cache that holds two chunks of this dataset (at least HDF5's default 1 MiB): with
  // the default, a chunk over 1 MiB (256 replications of monthly/values) bypasses the cache,
  // so every replication's row re-read, re-inflated and re-deflated its whole chunk. Fully
  // written chunks leave the cache first (w0 = 1).
  std::uint64_t chunk_bytes = 8;
  for (const hsize_t d : chunk) chunk_bytes *= d;
  Id dapl{H5Pcreate(H5P_DATASET_ACCESS), H5Pclose};
  H5Pset_chunk_cache(dapl.id, H5D_CHUNK_CACHE_NSLOTS_DEFAULT,
                     static_cast<std::size_t>(std::max<std::uint64_t>(std::uint64_t{1} << 20, 2 * chunk_bytes)), 1.0);
  const hid_t id = H5Dcreate2(file_, path.c_str(), file_type, space.id, H5P_DEFAULT, dcpl.id, dapl.id);
  if (id < 0) fail("cannot create dataset '" + path + "'", temp_path_);
  datasets_[path] = Dataset{id, type, row_elements, rank};
}

void ResultsWriter::write(const std::string& path, std::uint64_t replication, const double* row) {
  write_row(path, replication, row, Type::kFloat64);
}
void ResultsWriter::write(const std::string& path, std::uint64_t replication, const std::uint64_t* row) {
  write_row(path, replication, row, Type::kUInt64);
}

void ResultsWriter::write_row(const std::string& path, std::uint64_t replication, const void* row, Type type) {
  const auto it = datasets_.find(path);
  if (it == datasets_.end()) fail("dataset '" + path + "' was never defined", temp_path_);
  if (it->second.type != type) fail("dataset '" + path + "' written with the wrong element type", temp_path_);
  write_rows(path, replication, 1, row);
}

void ResultsWriter::write_rows(const std::string& path, std::uint64_t first, std::uint64_t count, const void* data) {
  const auto it = datasets_.find(path);
  if (it == datasets_.end()) fail("dataset '" + path + "' was never defined", temp_path_);
  const Dataset& ds = it->second;
  if (first < first_row_ || first + count > first_row_ + rows_) {
    const std::string which = count == 1 ? "replication " + std::to_string(first)
                                         : "replications " + std::to_string(first) + ".." + std::to_string(first + count - 1);
    fail(which + " is out of range [" + std::to_string(first_row_) + ", " + std::to_string(first_row_ + rows_) + ")",
         temp_path_);
  }
  if (count == 0) return;
  Id file_space{H5Dget_space(static_cast<hid_t>(ds.id)), H5Sclose};
  std::vector<hsize_t> dims(static_cast<std::size_t>(ds.rank));
  H5Sget_simple_extent_dims(file_space.id, dims.data(), nullptr);
  std::vector<hsize_t> start(dims.size(), 0), block = dims;
  start[0] = first - first_row_;
  block[0] = count;
  H5Sselect_hyperslab(file_space.id, H5S_SELECT_SET, start.data(), nullptr, block.data(), nullptr);
  Id mem_space{H5Screate_simple(ds.rank, block.data(), nullptr), H5Sclose};
  if (H5Dwrite(static_cast<hid_t>(ds.id), native(ds.type), mem_space.id, file_space.id, H5P_DEFAULT, data) < 0) {
    fail_write("cannot write replications " + std::to_string(first) + ".." + std::to_string(first + count - 1) +
                   " of '" + path + "' to " + temp_path_,
               memory_ ? temp_path_ : final_path_);
  }
}

namespace {

void set_string_attribute(hid_t object, const char* name, const std::string& value) {
  if (H5Aexists(object, name) > 0) H5Adelete(object, name);
  Id type{string_type(), H5Tclose};
  Id space{H5Screate(H5S_SCALAR), H5Sclose};
  Id attr{H5Acreate2(object, name, type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  const char* p = value.c_str();
  if (attr.id < 0 || H5Awrite(attr.id, type.id, &p) < 0) throw std::runtime_error(std::string("attribute ") + name);
}

// Whether `path` exists, asking for each group on the way first: H5Lexists of a path whose
// group is missing is an HDF5 error, printed on threads where the error printer is on.
bool link_exists(hid_t file, const std::string& path) {
  for (std::size_t pos = path.find('/'); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    if (H5Lexists(file, path.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0;
}

herr_t collect_paths(hid_t, const char* name, const H5O_info_t* info, void* data) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

void ResultsWriter::describe_datasets() {
  // Every numeric dataset the schema declares (analysis/results_descriptions.cpp) gets its
  // units and description, each dimension a label, and its dimension scale where the axis has
  // one: a label dataset of the file (arms/name...) or a number scale under scales/ made here.
  // Values are not touched: every dataset's bytes stay what the models wrote.
  if (described_) return;
  described_ = true;
  std::vector<std::string> paths;
  H5Ovisit(file_, H5_INDEX_NAME, H5_ITER_INC, collect_paths, &paths);
  const std::set<std::string> present(paths.begin(), paths.end());
  std::set<std::string> scales_set;
  const auto open_scale = [&](const Axis& axis, hsize_t length) -> hid_t {
    if (axis.scale.empty()) return -1;
    if (axis.generated && present.count(axis.scale) == 0 && !link_exists(file_, axis.scale)) {
      ensure_parent_groups(file_, axis.scale, temp_path_);
      if (!axis.names.empty()) {
        // A scale of fixed names (scales/flow), written where the axis has as many positions.
        if (axis.names.size() == length) labels(axis.scale, axis.names);
      } else {
        const std::uint64_t first = axis.label == "replication" ? first_row_ + axis.first : axis.first;
        std::vector<std::uint64_t> values(length);
        for (hsize_t i = 0; i < length; ++i) values[i] = first + i;
        Id space{H5Screate_simple(1, &length, nullptr), H5Sclose};
        Id ds{H5Dcreate2(file_, axis.scale.c_str(), H5T_STD_U64LE, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose};
        if (ds.id < 0 || (length > 0 && H5Dwrite(ds.id, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)) {
          fail("cannot write dataset '" + axis.scale + "'", temp_path_);
        }
      }
    }
    if (!link_exists(file_, axis.scale)) return -1;
    const hid_t s = H5Dopen2(file_, axis.scale.c_str(), H5P_DEFAULT);
    if (s < 0) return -1;
    Id space{H5Dget_space(s), H5Sclose};
    hsize_t n = 0;
    if (H5Sget_simple_extent_ndims(space.id) != 1 || (H5Sget_simple_extent_dims(space.id, &n, nullptr), n != length)) {
      H5Dclose(s);
      return -1;  // not this axis's length (should not happen): the dimension keeps only its label
    }
    if (scales_set.insert(axis.scale).second && H5DSis_scale(s) <= 0 && H5DSset_scale(s, axis.label.c_str()) < 0) {
      H5Dclose(s);
      fail("cannot make '" + axis.scale + "' a dimension scale", temp_path_);
    }
    return s;
  };
  for (const std::string& path : paths) {
    const DatasetDescription* d = describe_dataset(path);
    if (d == nullptr || is_generated_scale(path)) continue;
    Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
    if (ds.id < 0) fail("cannot open dataset '" + path + "'", temp_path_);
    Id space{H5Dget_space(ds.id), H5Sclose};
    const int rank = H5Sget_simple_extent_ndims(space.id);
    try {
      set_string_attribute(ds.id, "units", d->units);
      set_string_attribute(ds.id, "description", d->description);
      if (!d->units_by.empty()) set_string_attribute(ds.id, "units_by", d->units_by);
    } catch (const std::runtime_error& e) {
      fail(std::string("cannot write ") + e.what() + " of '" + path + "'", temp_path_);
    }
    if (rank != static_cast<int>(d->axes.size())) continue;  // not the declared layout: units only
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
    for (unsigned i = 0; i < static_cast<unsigned>(rank); ++i) {
      const Axis& axis = d->axes[i];
      if (H5DSset_label(ds.id, i, axis.label.c_str()) < 0) fail("cannot label a dimension of '" + path + "'", temp_path_);
      const hid_t s = open_scale(axis, dims[i]);
      if (s < 0) continue;
      const herr_t ok = H5DSattach_scale(ds.id, s, i);
      H5Dclose(s);
      if (ok < 0) fail("cannot attach '" + axis.scale + "' to '" + path + "'", temp_path_);
    }
  }
  // The scales made above describe themselves too.
  for (const DatasetDescription& d : dataset_descriptions()) {
    if (!is_generated_scale(d.path) || !link_exists(file_, d.path)) continue;
    Id ds{H5Dopen2(file_, d.path.c_str(), H5P_DEFAULT), H5Dclose};
    try {
      if (!d.units.empty()) set_string_attribute(ds.id, "units", d.units);  // names (scales/flow) have none
      set_string_attribute(ds.id, "description", d.description);
    } catch (const std::runtime_error& e) {
      fail(std::string("cannot write ") + e.what() + " of '" + d.path + "'", temp_path_);
    }
  }
}

void ResultsWriter::commit() {
  if (memory_) fail("commit() is for files; take an in-memory file's bytes with image()", temp_path_);
  // On failure the destructor closes what it can and removes the temporary file.
  describe_datasets();
  if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) fail_write("cannot write its temporary file " + temp_path_, final_path_);
  if (!close_all()) fail_write("cannot finish its temporary file " + temp_path_, final_path_);
  if (shared_output_ == nullptr) output_.commit();  // else the caller's OutputFiles renames it
  committed_ = true;
}

namespace {

void string_attribute(hid_t object, const std::string& name, const std::string& value, const std::string& file) {
  Id type{string_type(), H5Tclose};
  Id space{H5Screate(H5S_SCALAR), H5Sclose};
  Id attr{H5Acreate2(object, name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  const char* text = value.c_str();
  if (attr.id < 0 || H5Awrite(attr.id, type.id, &text) < 0) fail_write("cannot write attribute '" + name + "'", file);
}

void write_tables(hid_t file, const std::vector<Table>& tables, const std::vector<std::pair<std::string, std::string>>& root,
                  const std::string& temp) {
  for (const auto& [name, value] : root) string_attribute(file, name, value, temp);
  for (const Table& t : tables) {
    Id group{H5Gcreate2(file, t.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose};
    if (group.id < 0) fail("cannot create group '" + t.name + "'", temp);
    std::string names;
    for (const TableColumn& c : t.columns) names += (names.empty() ? "" : ",") + c.name;
    string_attribute(group.id, "description", t.description, temp);
    string_attribute(group.id, "columns", names, temp);
    for (const TableColumn& c : t.columns) {
      const hsize_t n = c.text ? c.strings.size() : c.numbers.size();
      Id space{H5Screate_simple(1, &n, nullptr), H5Sclose};
      Id type{c.text ? string_type() : H5Tcopy(H5T_IEEE_F64LE), H5Tclose};
      Id ds{H5Dcreate2(group.id, c.name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose};
      if (ds.id < 0) fail("cannot create dataset '" + t.name + "/" + c.name + "'", temp);
      herr_t ok = 0;
      if (n > 0 && c.text) {
        std::vector<const char*> ptrs;
        for (const std::string& v : c.strings) ptrs.push_back(v.c_str());
        ok = H5Dwrite(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data());
      } else if (n > 0) {
        ok = H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c.numbers.data());
      }
      if (ok < 0) fail_write("cannot write dataset '" + t.name + "/" + c.name + "'", temp);
      string_attribute(ds.id, "unit", c.unit, temp);
      string_attribute(ds.id, "description", c.description, temp);
    }
  }
}

}  // namespace

void write_table_file(const std::string& path, const std::vector<Table>& tables,
                      const std::vector<std::pair<std::string, std::string>>& root) {
  OutputFiles files;
  write_table_file(files, path, tables, root);
  files.commit();
}

void write_table_file(OutputFiles& files, const std::string& path, const std::vector<Table>& tables,
                      const std::vector<std::pair<std::string, std::string>>& root) {
  for (const Table& t : tables) {
    std::size_t rows = 0;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const TableColumn& c = t.columns[i];
      const std::size_t n = c.text ? c.strings.size() : c.numbers.size();
      if (i == 0) rows = n;
      if (n != rows) {
        throw std::invalid_argument("write_table_file: column " + t.name + "/" + c.name + " has " + std::to_string(n) +
                                    " rows, the table's first column " + std::to_string(rows));
      }
    }
  }
  quiet_hdf5();
  // The temporary is removed by `files` if anything fails, here or in another output.
  const std::string temp = files.stage(path);
  create_temporary(temp, path);
  const hid_t file = H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) {
    g_hdf5_unclean.store(true);
    fail_write("cannot create its temporary file " + temp, path);
  }
  try {
    write_tables(file, tables, root, path);
  } catch (...) {
    if (H5Fclose(file) < 0) g_hdf5_unclean.store(true);
    throw;
  }
  if (H5Fclose(file) < 0) {
    g_hdf5_unclean.store(true);
    fail_write("cannot write its temporary file " + temp, path);
  }
}

// ---------------------------------------------------------------------------------------
// OutputFiles: every output of a command, all or nothing.
namespace {

// Temporaries staged by this process and not yet committed or discarded, so that a stale
// temporary that happens to carry this process's id is told from a live one.
std::mutex g_live_mutex;
std::set<std::string> g_live;

std::string live_key(const std::string& file) {
  std::error_code ec;
  const fs::path p = fs::absolute(file, ec);
  return (ec ? fs::path(file) : p).lexically_normal().string();
}
void set_live(const std::string& temp, bool live) {
  const std::lock_guard<std::mutex> lock(g_live_mutex);
  if (live) g_live.insert(live_key(temp));
  else g_live.erase(live_key(temp));
}
bool is_live(const std::string& temp) {
  const std::lock_guard<std::mutex> lock(g_live_mutex);
  return g_live.count(live_key(temp)) > 0;
}

// The process id in a temporary's name "<anything>.tmp-<pid>" or "<anything>.tmp-<pid>.old",
// where ".tmp-" starts at `at`.
std::optional<long> temporary_owner(const std::string& name, std::size_t at) {
  std::string digits = name.substr(at + 5);
  if (digits.size() > 4 && digits.compare(digits.size() - 4, 4, ".old") == 0) digits.resize(digits.size() - 4);
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  const long pid = std::stol(digits);
  if (pid <= 0) return std::nullopt;
  return pid;
}

// Removes `file`, a temporary of process `pid`, if that process has gone and nobody holds a
// lock on the file (HDF5 locks the files it writes; a process in another PID namespace may
// have the same id).
bool remove_if_stale(const std::string& file, long pid) {
  if (pid == static_cast<long>(::getpid())) {
    if (is_live(file)) return false;
  } else if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) {
    return false;  // that process runs (or is not ours to ask about): leave its file alone
  }
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st{};
  bool removed = false;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    removed = ::unlink(file.c_str()) == 0;
  }
  ::close(fd);
  return removed;
}

std::string os_reason(int err) { return std::strerror(err); }

}  // namespace

namespace {
std::atomic<bool> g_excel_csv{false};
}  // namespace

void set_excel_csv(bool on) noexcept { g_excel_csv.store(on); }
bool excel_csv() noexcept { return g_excel_csv.load(); }
std::string csv_file_text(std::string csv) { return excel_csv() ? kUtf8ByteOrderMark + csv : csv; }

std::string temporary_name(const std::string& path) { return path + ".tmp-" + std::to_string(::getpid()); }

std::vector<std::string> remove_stale_temporaries(const std::string& path) {
  std::vector<std::string> removed;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const std::string prefix = target.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::optional<long> pid = temporary_owner(name, prefix.size() - 5);
    const std::string file = (dir / name).string();
    if (pid && remove_if_stale(file, *pid)) removed.push_back(file);
  }
  return removed;
}

std::vector<std::string> remove_stale_temporaries_in(const std::string& dir) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::size_t at = name.rfind(".tmp-");
    if (at == std::string::npos || at == 0) continue;
    const std::optional<long> pid = temporary_owner(name, at);
    const std::string file = (fs::path(dir) / name).string();
    if (pid && remove_if_stale(file, *pid)) removed.push_back(file);
  }
  return removed;
}

OutputFiles::OutputFiles(OutputFiles&& other) noexcept
    : files_(std::move(other.files_)), created_dirs_(std::move(other.created_dirs_)), done_(other.done_) {
  other.files_.clear();
  other.created_dirs_.clear();
  other.done_ = true;
}

OutputFiles::~OutputFiles() {
  if (!done_) discard();
}

std::string OutputFiles::stage(const std::string& path, Parents parents) {
  if (done_) throw std::logic_error(path + ": OutputFiles::stage after commit() or discard()");
  for (const File& f : files_) {
    if (f.path == path) throw std::invalid_argument(path + ": expected once among one command's outputs, got twice");
  }
  const fs::path target(path);
  if (parents == Parents::kCreate && target.has_parent_path()) {
    // Which directories are missing, so that a failure removes exactly those again.
    std::vector<fs::path> missing;
    std::error_code ec;
    for (fs::path d = target.parent_path(); !d.empty() && !fs::exists(d, ec) && !ec; d = d.parent_path()) {
      missing.push_back(d);
      if (d == d.parent_path()) break;
    }
    fs::create_directories(target.parent_path(), ec);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
      std::error_code exists_ec;
      if (fs::is_directory(*it, exists_ec)) created_dirs_.push_back(it->string());
    }
    if (ec) throw WriteError(path + ": cannot create its directory " + target.parent_path().string() + ": " + ec.message());
  }
  remove_stale_temporaries(path);
  File f;
  f.path = path;
  f.temp = temporary_name(path);
  set_live(f.temp, true);
  files_.push_back(f);
  return f.temp;
}

void OutputFiles::write(const std::string& path, const std::string& content, Parents parents) {
  write(path, content.data(), content.size(), parents);
}

void OutputFiles::write(const std::string& path, const void* data, std::size_t size, Parents parents) {
  const std::string temp = stage(path, parents);
  int err = 0;
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    err = errno;
  } else {
    const char* p = static_cast<const char*>(data);
    std::size_t left = size;
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        err = errno;
        break;
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    // Some file systems report a full disk only when the data reach it.
    if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
  }
  if (err != 0) {
    ::unlink(temp.c_str());
    throw WriteError(path + ": cannot write it: " + os_reason(err) + " (its temporary " + temp + " is removed)");
  }
  files_.back().synced = true;
}

void OutputFiles::commit() {
  if (done_) throw std::logic_error("OutputFiles::commit after commit() or discard()");
  const auto failed = [&](const std::string& message) {
    discard();
    throw WriteError(message);
  };
  // 1. Every temporary on disk (HDF5 files were written by the caller, not flushed to disk).
  for (File& f : files_) {
    if (f.synced) continue;
    const int fd = ::open(f.temp.c_str(), O_RDONLY | O_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    if (fd >= 0 && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
    if (fd >= 0) ::close(fd);
    if (err != 0) failed(f.path + ": cannot write it: " + os_reason(err) + " (its temporary " + f.temp + " is removed)");
    f.synced = true;
  }
  // 2. A second name for each file about to be replaced, to put it back if a later one fails.
  for (File& f : files_) {
    struct stat st{};
    if (::lstat(f.path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      failed(f.path + ": cannot replace it: " + os_reason(errno));
    }
    if (S_ISDIR(st.st_mode)) failed(f.path + ": expected a file to write, got a directory");
    const std::string backup = f.temp + ".old";
    ::unlink(backup.c_str());
    if (::link(f.path.c_str(), backup.c_str()) != 0) {
      const int err = errno;
      std::error_code ec;  // a file system without hard links: a copy does as well
      fs::copy_file(f.path, backup, fs::copy_options::overwrite_existing, ec);
      if (ec) {
        ::unlink(backup.c_str());
        failed(f.path + ": cannot keep the current file while replacing it: " + os_reason(err));
      }
    }
    f.backup = backup;
  }
  // 3. Into place, each atomically; if one fails, the ones before it go back.
  for (std::size_t i = 0; i < files_.size(); ++i) {
    File& f = files_[i];
    if (::rename(f.temp.c_str(), f.path.c_str()) == 0) continue;
    std::string message = f.path + ": cannot move the finished file into place: " + os_reason(errno);
    std::size_t restored = 0;
    for (std::size_t j = 0; j < i; ++j) {
      File& g = files_[j];
      if (g.backup.empty() ? ::unlink(g.path.c_str()) == 0 : ::rename(g.backup.c_str(), g.path.c_str()) == 0) {
        ++restored;
        g.backup.clear();
      } else if (!g.backup.empty()) {
        message += "; " + g.path + " could not be put back (" + os_reason(errno) + "): its earlier content is in " +
                   g.backup;
        g.backup.clear();  // keep it: it is the only copy
      }
    }
    if (restored > 0) message += "; the " + std::to_string(restored) + " output(s) already moved were put back";
    failed(message);
  }
  // 4. Done: the kept copies go, and the renames are made durable (best effort).
  std::set<std::string> dirs;
  for (const File& f : files_) {
    if (!f.backup.empty()) ::unlink(f.backup.c_str());
    set_live(f.temp, false);
    const fs::path parent = fs::path(f.path).parent_path();
    dirs.insert(parent.empty() ? "." : parent.string());
  }
  for (const std::string& d : dirs) {
    const int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)::fsync(fd);
    ::close(fd);
  }
  files_.clear();
  created_dirs_.clear();
  done_ = true;
}

void OutputFiles::discard() noexcept {
  for (const File& f : files_) {
    ::unlink(f.temp.c_str());
    if (!f.backup.empty()) ::unlink(f.backup.c_str());
    try {
      set_live(f.temp, false);
    } catch (...) {
    }
  }
  for (auto it = created_dirs_.rbegin(); it != created_dirs_.rend(); ++it) ::rmdir(it->c_str());  // only if empty
  files_.clear();
  created_dirs_.clear();
  done_ = true;
}

std::string describe(const AttributeValue& value, std::size_t max_chars) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    return "\"" + s->substr(0, max_chars) + (s->size() > max_chars ? "...\"" : "\"");
  }
  if (const auto* u = std::get_if<std::uint64_t>(&value)) return std::to_string(*u);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(value));
  return buf;
}

std::string utc_timestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string exact_text(double x) {
  char buf[40];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

std::string hdf5_library_version() {
  quiet_hdf5();
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

// ---------------------------------------------------------------------------------------
ResultsReader::ResultsReader(const std::string& path) : path_(path) {
  quiet_hdf5();
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file_ < 0) fail("cannot open as an HDF5 results file", path);
}

ResultsReader::~ResultsReader() {
  if (file_ >= 0) H5Fclose(file_);
}

bool ResultsReader::has_attribute(const std::string& name) const {
  return H5Aexists(file_, name.c_str()) > 0;
}

std::string ResultsReader::string_attribute(const std::string& name) const {
  Id attr{H5Aopen(file_, name.c_str(), H5P_DEFAULT), H5Aclose};
  if (attr.id < 0) fail("no attribute '" + name + "'", path_);
  Id type{string_type(), H5Tclose};
  char* p = nullptr;
  if (H5Aread(attr.id, type.id, &p) < 0) fail("attribute '" + name + "' is not a string", path_);
  std::string out = p ? p : "";
  H5free_memory(p);
  return out;
}

std::uint64_t ResultsReader::uint_attribute(const std::string& name) const {
  Id attr{H5Aopen(file_, name.c_str(), H5P_DEFAULT), H5Aclose};
  std::uint64_t v = 0;
  if (attr.id < 0 || H5Aread(attr.id, H5T_NATIVE_UINT64, &v) < 0) fail("no integer attribute '" + name + "'", path_);
  return v;
}

double ResultsReader::double_attribute(const std::string& name) const {
  Id attr{H5Aopen(file_, name.c_str(), H5P_DEFAULT), H5Aclose};
  double v = 0;
  if (attr.id < 0 || H5Aread(attr.id, H5T_NATIVE_DOUBLE, &v) < 0) fail("no numeric attribute '" + name + "'", path_);
  return v;
}

namespace {
herr_t collect_attribute(hid_t location, const char* name, const H5A_info_t*, void* data) {
  auto& out = *static_cast<std::map<std::string, AttributeValue>*>(data);
  Id attr{H5Aopen(location, name, H5P_DEFAULT), H5Aclose};
  Id type{H5Aget_type(attr.id), H5Tclose};
  const H5T_class_t cls = H5Tget_class(type.id);
  if (cls == H5T_STRING) {
    Id mem{string_type(), H5Tclose};
    char* p = nullptr;
    if (H5Aread(attr.id, mem.id, &p) >= 0) {
      out[name] = std::string(p ? p : "");
      H5free_memory(p);
    }
  } else if (cls == H5T_FLOAT) {
    double v = 0;
    if (H5Aread(attr.id, H5T_NATIVE_DOUBLE, &v) >= 0) out[name] = v;
  } else if (cls == H5T_INTEGER) {
    std::uint64_t v = 0;
    if (H5Aread(attr.id, H5T_NATIVE_UINT64, &v) >= 0) out[name] = v;
  }
  return 0;
}
}  // namespace

std::map<std::string, AttributeValue> ResultsReader::attributes() const {
  std::map<std::string, AttributeValue> out;
  hsize_t index = 0;
  H5Aiterate2(file_, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &out);
  return out;
}

std::vector<ResultsReader::DatasetInfo> ResultsReader::dataset_info() const {
  std::vector<DatasetInfo> out;
  for (const std::string& path : datasets()) {
    Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
    Id type{H5Dget_type(ds.id), H5Tclose};
    DatasetInfo info;
    info.path = path;
    info.shape = shape(path);
    const H5T_class_t cls = H5Tget_class(type.id);
    info.is_labels = cls == H5T_STRING;
    info.fixed = !info.is_labels && is_fixed_dataset(path);
    info.type = cls == H5T_FLOAT ? ElementType::kFloat64 : ElementType::kUInt64;
    out.push_back(info);
  }
  return out;
}

std::vector<std::string> ResultsReader::labels(const std::string& path) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id space{H5Dget_space(ds.id), H5Sclose};
  const std::size_t n = element_count(ds.id, space.id, sizeof(char*), path, path_);
  std::vector<char*> ptrs(n, nullptr);
  Id type{string_type(), H5Tclose};
  if (n > 0 && H5Dread(ds.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
    fail("dataset '" + path + "' is not a list of strings", path_);
  }
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

bool ResultsReader::is_text(const std::string& path) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id type{H5Dget_type(ds.id), H5Tclose};
  return H5Tget_class(type.id) == H5T_STRING;
}

std::vector<std::uint64_t> ResultsReader::shape(const std::string& path) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  return std::vector<std::uint64_t>(dims.begin(), dims.end());
}

std::vector<std::uint64_t> ResultsReader::shape_at_least(const std::string& path, std::size_t rank) const {
  std::vector<std::uint64_t> s = shape(path);
  if (s.size() < rank) {
    fail("dataset '" + path + "' has " + std::to_string(s.size()) + " dimension(s), expected at least " +
             std::to_string(rank) + " (replications first)",
         path_);
  }
  return s;
}

namespace {
template <class T>
std::vector<T> read_all(hid_t file, const std::string& path, hid_t mem_type, const std::string& filename) {
  Id ds{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", filename);
  Id space{H5Dget_space(ds.id), H5Sclose};
  std::vector<T> out(element_count(ds.id, space.id, sizeof(T), path, filename));
  if (!out.empty() && H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    fail("cannot read dataset '" + path + "'", filename);
  }
  return out;
}

herr_t collect(hid_t, const char* name, const H5O_info_t* info, void* data) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}
}  // namespace

std::vector<double> ResultsReader::read_double(const std::string& path) const {
  return read_all<double>(file_, path, H5T_NATIVE_DOUBLE, path_);
}

std::vector<std::uint64_t> ResultsReader::read_uint(const std::string& path) const {
  return read_all<std::uint64_t>(file_, path, H5T_NATIVE_UINT64, path_);
}

std::vector<std::string> ResultsReader::datasets() const {
  std::vector<std::string> names;
  H5Ovisit(file_, H5_INDEX_NAME, H5_ITER_INC, collect, &names);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<unsigned char> ResultsReader::raw(const std::string& path) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id ftype{H5Dget_type(ds.id), H5Tclose};
  if (H5Tget_class(ftype.id) == H5T_STRING) {
    std::vector<unsigned char> out;
    for (const std::string& s : labels(path)) {
      out.insert(out.end(), s.begin(), s.end());
      out.push_back(0);
    }
    return out;
  }
  Id mtype{H5Tget_native_type(ftype.id, H5T_DIR_ASCEND), H5Tclose};
  Id space{H5Dget_space(ds.id), H5Sclose};
  const std::size_t size = H5Tget_size(mtype.id);
  std::vector<unsigned char> out(element_count(ds.id, space.id, size, path, path_) * size);
  if (!out.empty() && H5Dread(ds.id, mtype.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    fail("cannot read dataset '" + path + "'", path_);
  }
  return out;
}

std::vector<unsigned char> ResultsReader::raw_rows(const std::string& path, std::uint64_t first,
                                                  std::uint64_t count) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id ftype{H5Dget_type(ds.id), H5Tclose};
  Id mtype{H5Tget_native_type(ftype.id, H5T_DIR_ASCEND), H5Tclose};
  Id space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  if (rank < 1 || first + count > dims[0]) {
    fail("rows " + std::to_string(first) + ".." + std::to_string(first + count) + " are outside '" + path + "'", path_);
  }
  (void)element_count(ds.id, space.id, H5Tget_size(mtype.id), path, path_);  // a slab of a plausible whole
  std::vector<hsize_t> start(dims.size(), 0), block = dims;
  start[0] = first;
  block[0] = count;
  std::size_t elements = 1;
  for (const hsize_t d : block) elements *= static_cast<std::size_t>(d);
  std::vector<unsigned char> out(elements * H5Tget_size(mtype.id));
  if (elements == 0) return out;
  H5Sselect_hyperslab(space.id, H5S_SELECT_SET, start.data(), nullptr, block.data(), nullptr);
  Id mem{H5Screate_simple(rank, block.data(), nullptr), H5Sclose};
  if (H5Dread(ds.id, mtype.id, mem.id, space.id, H5P_DEFAULT, out.data()) < 0) {
    fail("cannot read rows of '" + path + "'", path_);
  }
  return out;
}

}  // namespace mhsim::analysis
