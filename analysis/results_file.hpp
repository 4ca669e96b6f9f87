// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace mhsim::analysis {

/// The only code that touches HDF5: writer and reader of the results schema side by side,
/// so they cannot drift. Layout (docs/results-schema.md):
///   root attributes    provenance (scenario text and hash, seed, versions, ...)
///   <group>/<metric>   one row per replication: shape [replications] or [replications, k]
///   <group>/<labels>   string names of the k columns (e.g. stations/name)
/// Datasets are chunked and deflate-compressed; rows are addressed by replication index, so
/// the same (scenario, seed) gives the same dataset bytes whatever order rows arrive in.
///
/// A file may hold a block of a run's replications: rows [first_row, first_row + rows).
/// Checkpoint chunks, shards and MPI ranks' contributions are such blocks; merge_results()
/// (analysis/merge.hpp) joins blocks into the whole.
enum class ElementType { kFloat64, kUInt64 };

/// A root attribute's value.
using AttributeValue = std::variant<std::string, std::uint64_t, double>;
/// An attribute value for messages: strings quoted and cut to `max_chars`.
std::string describe(const AttributeValue& value, std::size_t max_chars = 40);

/// One column of a table for write_table_file: numbers, or text when `text` is set.
struct TableColumn {
  std::string name, unit, description;
  bool text = false;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};

/// A tidy table: every column has the same number of rows.
struct Table {
  std::string name, description;
  std::vector<TableColumn> columns;
};

/// A file that could not be written: the message names the file, the operating system's
/// reason and what was left as it was.
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The one way mhsim writes its output files, all or nothing (issue 18): every file of one
/// command is first written in full to a temporary beside it, "<path>.tmp-<pid>" (flushed
/// to disk), and only when all are whole does commit() rename them into place. If any write
/// fails (a full disk, a read-only folder...) nothing is renamed, every temporary is
/// removed and the files that were there before are left as they were. If a rename fails
/// part-way, the files already replaced are put back (each was kept as
/// "<path>.tmp-<pid>.old" until commit ends). Directories created for the outputs are
/// removed again on failure. A process killed before commit() leaves only temporaries of
/// that naming pattern, which the next write of the same path removes once their process is
/// gone (remove_stale_temporaries). Destroying an uncommitted OutputFiles discards it.
class OutputFiles {
 public:
  /// Whether missing parent directories of an output are created.
  enum class Parents { kCreate, kMustExist };

  OutputFiles() = default;
  ~OutputFiles();
  OutputFiles(OutputFiles&& other) noexcept;
  OutputFiles& operator=(OutputFiles&&) = delete;
  OutputFiles(const OutputFiles&) = delete;
  OutputFiles& operator=(const OutputFiles&) = delete;

  /// Registers `path` as an output and returns the temporary name the caller writes it to
  /// (an HDF5 file, say); commit() flushes it to disk and renames it. Removes stale
  /// temporaries of `path` first. Throws WriteError.
  std::string stage(const std::string& path, Parents parents = Parents::kCreate);
  /// Writes `size` bytes to the temporary of `path` now, flushed to disk. Throws WriteError
  /// (the temporary is removed at once).
  void write(const std::string& path, const void* data, std::size_t size, Parents parents = Parents::kCreate);
  void write(const std::string& path, const std::string& content, Parents parents = Parents::kCreate);
  /// Renames every staged file into place, or none (see above). Throws WriteError.
  void commit();
  /// Removes every temporary and created directory now (also done by the destructor).
  void discard() noexcept;

 private:
  struct File {
    std::string path, temp, backup;
    bool synced = false;  // written by write(), already on disk
  };
  std::vector<File> files_;
  std::vector<std::string> created_dirs_;  // outermost first
  bool done_ = false;
};

/// Excel-friendly CSV (the --excel option of the commands that write CSV): Excel on Windows
/// reads a CSV file as UTF-8 only when it begins with the byte order mark EF BB BF; without
/// it "£" shows as "Â£". Process-wide, off unless main() turns it on from the command line,
/// so that by default every CSV file stays byte-identical to what it was.
inline constexpr const char* kUtf8ByteOrderMark = "\xEF\xBB\xBF";
void set_excel_csv(bool on) noexcept;
bool excel_csv() noexcept;
/// `csv` as a CSV file is to be written: after the byte order mark when excel_csv() is on,
/// else unchanged. Every writer of a CSV file or of CSV on standard output passes it here.
std::string csv_file_text(std::string csv);

/// "<path>.tmp-<pid>": the temporary name of an output of this process.
std::string temporary_name(const std::string& path);

/// Removes temporaries of `path` ("<path>.tmp-<pid>" and "<path>.tmp-<pid>.old") left by a
/// process that was killed: only when no process with that id runs (or, for this process's
/// own id, no OutputFiles of this process holds it) and no other process holds a lock on
/// the file. Anything else is left alone. Returns the files removed.
std::vector<std::string> remove_stale_temporaries(const std::string& path);
/// The same for every file in `dir` (a checkpoint directory).
std::vector<std::string> remove_stale_temporaries_in(const std::string& dir);

/// Writes tables to an HDF5 file, all or nothing (through OutputFiles: a temporary name
/// beside `path`, renamed into place; removed on any failure): table t is the group /<t.name> with attributes
/// `description` and `columns` (the column names in order, comma-separated), holding one
/// 1-D dataset per column (float64, or variable-length UTF-8 strings), each with attributes
/// `unit` and `description`. `root` attributes go on the file. Throws std::runtime_error
/// naming the path; std::invalid_argument for a ragged table.
void write_table_file(const std::string& path, const std::vector<Table>& tables,
                      const std::vector<std::pair<std::string, std::string>>& root);
/// The same, as one output of `files` (renamed into place by files.commit()).
void write_table_file(OutputFiles& files, const std::string& path, const std::vector<Table>& tables,
                      const std::vector<std::pair<std::string, std::string>>& root);

class ResultsWriter {
 public:
  using Type = ElementType;

  /// Creates "<final_path>.tmp-<pid>" beside `final_path` (an OutputFiles of one file; the
  /// directory must exist); `final_path` itself is not touched until commit(). Datasets get
  /// `rows` rows holding replications [first_row, first_row + rows). Throws
  /// std::runtime_error naming the path (and the operating system's reason) on failure.
  ResultsWriter(std::string final_path, std::uint64_t rows, std::uint64_t first_row = 0);
  /// The same as one output of `files` (created with missing parent directories): commit()
  /// only finishes the file, and `files.commit()` renames it into place together with the
  /// command's other outputs, all or none. `files` must outlive the writer.
  ResultsWriter(OutputFiles& files, std::string final_path, std::uint64_t rows);
  /// A file built in memory (HDF5 core driver); take its bytes with image().
  static ResultsWriter in_memory(std::uint64_t rows, std::uint64_t first_row = 0);
  ~ResultsWriter();  ///< closes and deletes the temporary file unless committed
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  void attribute(const std::string& name, const std::string& value);
  void attribute(const std::string& name, std::uint64_t value);
  void attribute(const std::string& name, double value);
  void attribute(const std::string& name, const AttributeValue& value);

  /// A 1-D dataset of strings (column labels).
  void labels(const std::string& path, const std::vector<std::string>& names);
  /// An N-D dataset of strings of `shape` (row-major, names.size() = its product).
  void labels(const std::string& path, const std::vector<std::string>& names, const std::vector<std::uint64_t>& shape);
  /// A 1-D float64 dataset that is not per replication (psa/base).
  void constants(const std::string& path, const std::vector<double>& values);
  /// A per-replication dataset: shape [rows] if columns == 0, else [rows, columns].
  void define(const std::string& path, Type type, std::uint64_t columns = 0);
  /// A per-replication dataset of any row shape: [rows] + row_shape.
  void define_shape(const std::string& path, Type type, const std::vector<std::uint64_t>& row_shape);
  /// The same with chunks of `chunk_shape` (its rank that of the dataset, rows first), for
  /// rows too large to chunk 256 at a time whole.
  void define_shape(const std::string& path, Type type, const std::vector<std::uint64_t>& row_shape,
                    const std::vector<std::uint64_t>& chunk_shape);
  void write(const std::string& path, std::uint64_t replication, const double* row);
  void write(const std::string& path, std::uint64_t replication, const std::uint64_t* row);
  /// Writes `count` consecutive rows starting at replication `first`, from native-typed data.
  void write_rows(const std::string& path, std::uint64_t first, std::uint64_t count, const void* data);

  /// Flushes, closes and renames the temporary file to the final path (atomic on one file
  /// system). On failure (a full disk) throws WriteError and the temporary is removed. A
  /// writer of an OutputFiles is only flushed and closed: its OutputFiles renames it.
  void commit();
  /// For in_memory() writers: flushes and returns the complete file's bytes.
  std::vector<unsigned char> image();

  const std::string& temporary_path() const noexcept { return temp_path_; }
  /// Whether `path` has been defined (an optional dataset's writer asks).
  bool defines(const std::string& path) const { return datasets_.count(path) != 0; }
  std::uint64_t first_row() const noexcept { return first_row_; }
  std::uint64_t rows() const noexcept { return rows_; }

  ResultsWriter(ResultsWriter&& other) noexcept;

 private:
  /// Creates the HDF5 file at temp_path_ (staged by the constructor).
  void create_file();
  ResultsWriter() = default;
  struct Dataset {
    std::int64_t id;
    Type type;
    std::uint64_t row_elements;  // product of the row shape
    int rank;
  };
  void write_row(const std::string& path, std::uint64_t replication, const void* row, Type type);
  bool close_all() noexcept;
  /// Units, descriptions, dimension labels and scales (analysis/results_descriptions.hpp), once,
  /// when the file is finished.
  void describe_datasets();  ///< false if HDF5 could not close something (a write failed)

  std::string final_path_;
  std::string temp_path_;
  OutputFiles output_;
  OutputFiles* shared_output_ = nullptr;  ///< the caller's, which renames (or discards) the file
  std::uint64_t rows_ = 0;
  std::uint64_t first_row_ = 0;
  std::int64_t file_ = -1;
  std::map<std::string, Dataset> datasets_;
  bool committed_ = false;
  bool memory_ = false;
  bool described_ = false;
};

/// "1.10.8": the HDF5 library this program writes with (recorded in results files).
std::string hdf5_library_version();

/// The current time, UTC, as "2026-11-23T11:12:53Z" (provenance of results and reports).
std::string utc_timestamp();

/// A number as text that reads back to the same double: the shortest of %.15g, %.16g, %.17g.
std::string exact_text(double x);

class ResultsReader {
 public:
  explicit ResultsReader(const std::string& path);
  ~ResultsReader();
  ResultsReader(const ResultsReader&) = delete;
  ResultsReader& operator=(const ResultsReader&) = delete;

  bool has_attribute(const std::string& name) const;
  std::string string_attribute(const std::string& name) const;
  std::uint64_t uint_attribute(const std::string& name) const;
  double double_attribute(const std::string& name) const;

  /// Every root attribute, by name.
  std::map<std::string, AttributeValue> attributes() const;

  /// What a dataset holds: strings (labels) or per-replication numbers of a row shape.
  struct DatasetInfo {
    std::string path;
    bool is_labels = false;
    /// Numbers that are not per replication (psa/base, scales/year): shape[0] is not rows.
    bool fixed = false;
    ElementType type = ElementType::kFloat64;
    std::vector<std::uint64_t> shape;  ///< full shape; for per-replication data shape[0] = rows
  };
  std::vector<DatasetInfo> dataset_info() const;

  /// Every string of a string dataset of any shape, row-major.
  std::vector<std::string> labels(const std::string& path) const;
  /// Whether `path` holds strings (a located error when there is no such dataset).
  bool is_text(const std::string& path) const;
  /// Dimensions of a dataset.
  std::vector<std::uint64_t> shape(const std::string& path) const;
  /// shape(path), or a located std::runtime_error when it has fewer than `rank` dimensions
  /// (a damaged file whose per-replication dataset is a scalar).
  std::vector<std::uint64_t> shape_at_least(const std::string& path, std::size_t rank) const;
  std::vector<double> read_double(const std::string& path) const;
  std::vector<std::uint64_t> read_uint(const std::string& path) const;
  /// Every dataset path in the file, sorted.
  std::vector<std::string> datasets() const;
  /// A dataset's values as bytes in its native stored type, for exact comparisons.
  std::vector<unsigned char> raw(const std::string& path) const;
  /// Rows [first, first + count) (along the first dimension) of a numeric dataset, as bytes
  /// in its native type: lets readers stream a large file in slabs.
  std::vector<unsigned char> raw_rows(const std::string& path, std::uint64_t first, std::uint64_t count) const;
  /// The file this reads.
  const std::string& file_path() const noexcept { return path_; }

 private:
  std::string path_;
  std::int64_t file_ = -1;
};

}  // namespace mhsim::analysis
