// SPDX-License-Identifier: MIT
#include "analysis/results_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <stdexcept>

#include <hdf5.h>

namespace mhsim::analysis {

namespace {

// Rows per chunk: big enough to compress well, small enough that writing one replication
// touches one cached chunk.
constexpr hsize_t kChunkRows = 256;

void quiet_hdf5() {
  static const bool once = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)once;
}

[[noreturn]] void fail(const std::string& what, const std::string& file) {
  throw std::runtime_error(file + ": " + what);
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
  temp_path_ = final_path_ + ".tmp-" + std::to_string(::getpid());
  Id fapl{H5Pcreate(H5P_FILE_ACCESS), H5Pclose};
  // Latest format would tie files to HDF5 >= 1.10 readers; keep the default (widest) format.
  file_ = H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.id);
  if (file_ < 0) fail("cannot create the results file (is the directory writable?)", temp_path_);
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
      rows_(other.rows_),
      first_row_(other.first_row_),
      file_(other.file_),
      datasets_(std::move(other.datasets_)),
      committed_(other.committed_),
      memory_(other.memory_) {
  other.file_ = -1;
  other.datasets_.clear();
  other.committed_ = true;  // the moved-from writer owns nothing to clean up
}

ResultsWriter::~ResultsWriter() {
  if (committed_) return;
  close_all();
  if (!memory_) std::remove(temp_path_.c_str());
}

std::vector<unsigned char> ResultsWriter::image() {
  if (!memory_) fail("image() is only for in-memory results", temp_path_);
  if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) fail("cannot flush", temp_path_);
  const ssize_t size = H5Fget_file_image(file_, nullptr, 0);
  if (size < 0) fail("cannot take the file image", temp_path_);
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  if (H5Fget_file_image(file_, bytes.data(), bytes.size()) != size) fail("cannot copy the file image", temp_path_);
  return bytes;
}

void ResultsWriter::close_all() noexcept {
  for (auto& [path, ds] : datasets_) H5Dclose(ds.id);
  datasets_.clear();
  if (file_ >= 0) H5Fclose(file_);
  file_ = -1;
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

void ResultsWriter::define(const std::string& path, Type type, std::uint64_t columns) {
  define_shape(path, type, columns == 0 ? std::vector<std::uint64_t>{} : std::vector<std::uint64_t>{columns});
}

void ResultsWriter::define_shape(const std::string& path, Type type, const std::vector<std::uint64_t>& row_shape) {
  ensure_parent_groups(file_, path, temp_path_);
  std::vector<hsize_t> dims{rows_};
  std::vector<hsize_t> chunk{std::min<hsize_t>(kChunkRows, std::max<hsize_t>(rows_, 1))};
  std::uint64_t row_elements = 1;
  for (const std::uint64_t d : row_shape) {
    dims.push_back(d);
    chunk.push_back(std::max<hsize_t>(d, 1));
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
  const hid_t id = H5Dcreate2(file_, path.c_str(), file_type, space.id, H5P_DEFAULT, dcpl.id, H5P_DEFAULT);
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
    fail("cannot write replications " + std::to_string(first) + ".." + std::to_string(first + count - 1) + " of '" +
             path + "'",
         temp_path_);
  }
}

void ResultsWriter::commit() {
  if (memory_) fail("commit() is for files; take an in-memory file's bytes with image()", temp_path_);
  if (H5Fflush(file_, H5F_SCOPE_GLOBAL) < 0) fail("cannot flush", temp_path_);
  close_all();
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    fail("cannot rename the finished results into place", final_path_);
  }
  committed_ = true;
}

namespace {

void string_attribute(hid_t object, const std::string& name, const std::string& value, const std::string& file) {
  Id type{string_type(), H5Tclose};
  Id space{H5Screate(H5S_SCALAR), H5Sclose};
  Id attr{H5Acreate2(object, name.c_str(), type.id, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  const char* text = value.c_str();
  if (attr.id < 0 || H5Awrite(attr.id, type.id, &text) < 0) fail("cannot write attribute '" + name + "'", file);
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
      if (ok < 0) fail("cannot write dataset '" + t.name + "/" + c.name + "'", temp);
      string_attribute(ds.id, "unit", c.unit, temp);
      string_attribute(ds.id, "description", c.description, temp);
    }
  }
}

}  // namespace

void write_table_file(const std::string& path, const std::vector<Table>& tables,
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
  const std::string temp = path + ".tmp-" + std::to_string(::getpid());
  const hid_t file = H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0) fail("cannot create the file (is the directory writable?)", temp);
  try {
    write_tables(file, tables, root, temp);
  } catch (...) {
    H5Fclose(file);
    std::remove(temp.c_str());
    throw;
  }
  if (H5Fclose(file) < 0) {
    std::remove(temp.c_str());
    fail("cannot finish writing the file (is the disk full?)", temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    fail("cannot rename the finished file into place", path);
  }
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
    info.type = cls == H5T_FLOAT ? ElementType::kFloat64 : ElementType::kUInt64;
    out.push_back(info);
  }
  return out;
}

std::vector<std::string> ResultsReader::labels(const std::string& path) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id space{H5Dget_space(ds.id), H5Sclose};
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id));
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

std::vector<std::uint64_t> ResultsReader::shape(const std::string& path) const {
  Id ds{H5Dopen2(file_, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", path_);
  Id space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  return std::vector<std::uint64_t>(dims.begin(), dims.end());
}

namespace {
template <class T>
std::vector<T> read_all(hid_t file, const std::string& path, hid_t mem_type, const std::string& filename) {
  Id ds{H5Dopen2(file, path.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) fail("no dataset '" + path + "'", filename);
  Id space{H5Dget_space(ds.id), H5Sclose};
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id)));
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
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id));
  std::vector<unsigned char> out(n * H5Tget_size(mtype.id));
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
