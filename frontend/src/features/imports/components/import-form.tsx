import { type FormEvent, useRef, useState } from "react";

import { ErrorMessage } from "@/components/ui/error-message";
import { Field } from "@/components/ui/field";

import { useCreateImport } from "../api/create-import";
import type { DataType, Delimiter, ImportFormat, ImportJob } from "../types";

type ImportFormProps = {
  projectId: number;
  dataType: DataType;
  onCreated: (job: ImportJob) => void;
};

const TEXT_ACCEPT =
  ".csv,.tsv,.jsonl,.ndjson,.txt,.json,.parquet,.zip,text/csv,text/tab-separated-values,text/plain,application/json";
const IMAGE_ACCEPT = "image/*,.zip,.json";

const DELIMITERS: { value: Delimiter | ""; label: string }[] = [
  { value: "", label: "Detect" },
  { value: ",", label: "Comma (,)" },
  { value: "\t", label: "Tab" },
  { value: ";", label: "Semicolon (;)" },
  { value: "|", label: "Pipe (|)" },
];

const FORMATS: { value: ImportFormat | ""; label: string }[] = [
  { value: "", label: "From the file name" },
  { value: "csv", label: "CSV / TSV" },
  { value: "jsonl", label: "JSON Lines" },
  { value: "text", label: "Plain text, one item per line" },
  { value: "label_studio", label: "Label Studio JSON export" },
  { value: "prodigy", label: "Prodigy JSONL export" },
  { value: "parquet", label: "Parquet (Hugging Face dataset or Tandem snapshot)" },
];

export function ImportForm({ projectId, dataType, onCreated }: ImportFormProps) {
  const [files, setFiles] = useState<File[]>([]);
  const [format, setFormat] = useState<ImportFormat | "">("");
  const [textColumn, setTextColumn] = useState("");
  const [labelColumn, setLabelColumn] = useState("");
  const [idColumn, setIdColumn] = useState("");
  const [delimiter, setDelimiter] = useState<Delimiter | "">("");
  const fileInput = useRef<HTMLInputElement>(null);
  const create = useCreateImport();
  const isImage = dataType === "image";

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (files.length === 0) return;
    create.mutate(
      {
        projectId,
        files,
        options: isImage
          ? {}
          : {
              format: format || undefined,
              textColumn,
              labelColumn,
              idColumn,
              delimiter: delimiter || undefined,
            },
      },
      {
        onSuccess: (job) => {
          setFiles([]);
          if (fileInput.current) fileInput.current.value = "";
          onCreated(job);
        },
      },
    );
  }

  return (
    <form className="stack" onSubmit={submit} aria-labelledby="import-form-heading">
      <h2 id="import-form-heading">Upload</h2>
      <Field
        label={isImage ? "Images or a zip of images" : "File"}
        htmlFor="import-file"
        hintId="import-file-hint"
        hint={
          isImage
            ? "Choose one or more images, or one .zip file (or a Label Studio export zipped with its images)."
            : "CSV or TSV with a header line, JSON Lines (Tandem's own export keeps its labels, splits and metadata), plain text with one item per line, a Label Studio JSON export, a Prodigy JSONL export, or Parquet (a Hugging Face dataset file or a zip of split files). Rows already in the project are recognised, not duplicated."
        }
      >
        <input
          id="import-file"
          ref={fileInput}
          type="file"
          required
          multiple={isImage}
          accept={isImage ? IMAGE_ACCEPT : TEXT_ACCEPT}
          aria-describedby="import-file-hint"
          onChange={(event) => setFiles(Array.from(event.target.files ?? []))}
          data-testid="import-file"
        />
      </Field>
      {isImage ? null : (
        <fieldset className="options">
          <legend>Columns (optional)</legend>
          <p className="hint">
            Left empty, columns named text, label and id (or common synonyms) are used.
          </p>
          <div className="row">
            <Field label="Text column" htmlFor="import-text-column">
              <input
                id="import-text-column"
                maxLength={200}
                value={textColumn}
                onChange={(event) => setTextColumn(event.target.value)}
                data-testid="import-text-column"
              />
            </Field>
            <Field label="Label column" htmlFor="import-label-column">
              <input
                id="import-label-column"
                maxLength={200}
                value={labelColumn}
                onChange={(event) => setLabelColumn(event.target.value)}
                data-testid="import-label-column"
              />
            </Field>
            <Field label="ID column" htmlFor="import-id-column">
              <input
                id="import-id-column"
                maxLength={200}
                value={idColumn}
                onChange={(event) => setIdColumn(event.target.value)}
                data-testid="import-id-column"
              />
            </Field>
            <Field label="Delimiter" htmlFor="import-delimiter">
              <select
                id="import-delimiter"
                value={delimiter}
                onChange={(event) => setDelimiter(event.target.value as Delimiter | "")}
                data-testid="import-delimiter"
              >
                {DELIMITERS.map((option) => (
                  <option key={option.label} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Format" htmlFor="import-format">
              <select
                id="import-format"
                value={format}
                onChange={(event) => setFormat(event.target.value as ImportFormat | "")}
                data-testid="import-format"
              >
                {FORMATS.map((option) => (
                  <option key={option.label} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        </fieldset>
      )}
      {create.isPending ? (
        <div role="status" className="upload-status">
          <progress aria-label="Uploading" data-testid="import-upload-progress" />{" "}
          Uploading {files.length === 1 ? files[0]?.name : `${files.length} files`}…
        </div>
      ) : null}
      <ErrorMessage error={create.error} title="The upload was refused" />
      <div>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.isPending || files.length === 0}
          data-testid="import-submit"
        >
          Import
        </button>
      </div>
    </form>
  );
}
