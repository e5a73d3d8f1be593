import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { Modal } from "@/components/ui/modal";

function Page({ closeOnEscape }: { closeOnEscape?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Open
      </button>
      {open ? (
        <Modal title="Keyboard shortcuts" onClose={() => setOpen(false)} testId="help" closeOnEscape={closeOnEscape}>
          <p>Press a key.</p>
        </Modal>
      ) : null}
    </>
  );
}

describe("Modal", () => {
  it("is a dialog named by its title that takes focus and gives it back on Esc", async () => {
    const user = userEvent.setup();
    render(<Page />);
    const opener = screen.getByRole("button", { name: "Open" });
    await user.click(opener);

    const dialog = screen.getByRole("dialog", { name: "Keyboard shortcuts" });
    expect(dialog).toHaveAttribute("aria-modal", "true");
    expect(dialog).toHaveFocus();

    await user.keyboard("{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
  });

  it("closes from its Close button and the backdrop, not from a click inside it", async () => {
    const user = userEvent.setup();
    render(<Page />);
    await user.click(screen.getByRole("button", { name: "Open" }));
    await user.click(screen.getByText("Press a key."));
    expect(screen.getByTestId("help")).toBeInTheDocument();

    await user.click(screen.getByTestId("help-backdrop"));
    expect(screen.queryByTestId("help")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Open" }));
    await user.click(screen.getByRole("button", { name: /Close/ }));
    expect(screen.queryByTestId("help")).not.toBeInTheDocument();
  });

  it("leaves Esc to the page when closeOnEscape is off", async () => {
    const user = userEvent.setup();
    render(<Page closeOnEscape={false} />);
    await user.click(screen.getByRole("button", { name: "Open" }));

    await user.keyboard("{Escape}");
    expect(screen.getByRole("dialog")).toBeInTheDocument();
  });

  it("does not close on an Esc the page already handled", () => {
    const onClose = vi.fn();
    render(
      <Modal title="Guidelines" onClose={onClose}>
        <p>Be kind.</p>
      </Modal>,
    );
    const event = new KeyboardEvent("keydown", { key: "Escape", bubbles: true, cancelable: true });
    event.preventDefault();
    window.dispatchEvent(event);
    expect(onClose).not.toHaveBeenCalled();
  });
});
