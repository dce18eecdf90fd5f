"""English texts: message cores per category and the frame around them."""

from __future__ import annotations

from sampledata.corpus import Core, Frame

C = Core

CORES: dict[str, tuple[Core, ...]] = {
    "payment_complaint": (
        C("double_charge",
          "On {date} I paid {amount} at {merchant} with my card {pcard}, but the payment was "
          "charged twice. My statement shows two identical transactions. Please refund the "
          "duplicate charge.",
          ("Double charge on my card", "Charged twice")),
        C("payment_not_credited",
          "On {date} I transferred {amount} towards my loan under contract {contract}, but the "
          "payment has still not been credited. The money has left my account and the app shows "
          "the status \"processing\". Please find out what happened to my payment.",
          ("Loan payment not credited", "Payment missing")),
        C("transfer_failed",
          "I tried to send {amount} to {other} and the transfer got stuck, yet the money was "
          "debited from my card {card}. I already contacted you under request {req} but got no "
          "answer. Please return the money or complete the transfer.",
          ("Transfer stuck, money debited", "Complaint about request {req}")),
        C("unexpected_fee",
          "You charged me a fee for a transfer of {amount}, although my tariff says transfers "
          "are free. The reference is {req}. Please refund the fee and explain why it was "
          "charged.",
          ("Unexpected fee", "Fee charged on a free transfer")),
    ),
    "delivery_question": (
        C("card_delivery_delay",
          "I ordered a new card on {date} and was promised delivery within 5 working days, but "
          "the courier never came. The request number is {req}. Delivery address: {address}. "
          "When can I expect the card?",
          ("Where is my card?", "Card delivery delayed")),
        C("card_delivery_status",
          "Could you tell me the delivery status of my card under request {req}? I need to "
          "receive it by {deadline} because I am going on a business trip. Phone for the "
          "courier: {phone}.",
          ("Delivery status for {req}", "Card delivery")),
        C("change_delivery_address",
          "Please change the card delivery address for request {req}. The new address is "
          "{address}. The courier can call me in advance on {phone}.",
          ("Change of delivery address", "New address for the courier")),
        C("document_delivery",
          "I ordered delivery of a balance certificate for my account, request {req}. I need it "
          "for the embassy by {deadline}. Can I collect it at a branch if the courier is late?",
          ("Certificate delivery", "Balance certificate for the embassy")),
    ),
    "closing_documents_request": (
        C("reconciliation_act",
          "Please provide a reconciliation statement under contract {contract} for {period}. Our "
          "company: {company}, BIN {bin}. We need the documents by {deadline} to close the "
          "quarter.",
          ("Reconciliation statement for {period}", "Request for a reconciliation act")),
        C("closing_documents",
          "Our accounting department needs the closing documents (acts of completed work and VAT "
          "invoices) for services under contract {contract} for {period}. Details: {company}, "
          "BIN {bin}, account {iban}. Please send the scans to {email}.",
          ("Closing documents", "Documents under contract {contract}")),
        C("account_statement",
          "Please prepare a stamped statement for account {iban} for {period}. Our auditor needs "
          "it by {deadline}.",
          ("Statement for the auditor", "Account statement request")),
        C("invoice_request",
          "Please issue a VAT invoice for bank fees for {period}. Company name: {company}, BIN "
          "{bin}. We will collect the originals at the branch.",
          ("VAT invoice for {period}", "Invoice request")),
    ),
    "card_blocked_or_fraud": (
        C("card_blocked",
          "My card {pcard} was blocked today when I tried to pay in a shop. I have not broken any "
          "rules and received no notice. Please unblock the card, my salary is paid to it.",
          ("Card blocked", "My card is blocked")),
        C("unauthorized_transaction",
          "On {date} {amount} was debited from my card {pcard} and I did not make this "
          "transaction! I have not given the card to anyone, it is with me. Please block the "
          "card, cancel the transaction and return the money.",
          ("Fraudulent transaction!", "Unauthorised payment on my card"), urgent=True),
        C("phishing_call",
          "Someone called me, said they were from the bank and asked for the code from the SMS. "
          "I told them the code, and then {amount} was taken from my account. Card {card}. What "
          "should I do? Please block everything and return the money.",
          ("Scam call, money stolen", "Fraud after a call from \"the bank\""), urgent=True),
        C("card_lost",
          "I have lost my card {pcard}. Please block it and issue a new one. I called the "
          "hotline {hotline} but could not wait for an operator.",
          ("Lost card", "Please block my lost card")),
    ),
    "account_access": (
        C("login_failed",
          "I cannot log in to the mobile app: after I enter my password I get the error "
          "\"Invalid credentials\", although the password is correct. My IIN is {iin}, phone "
          "{phone}. Please help me restore access.",
          ("Cannot log in to the app", "Login problem")),
        C("otp_not_received",
          "For two days I have not been receiving the SMS code to log in to online banking. The "
          "phone number linked to my account is {phone}. Please check what the problem is.",
          ("SMS code not arriving", "No one-time password")),
        C("password_reset",
          "Please reset my online banking password. The recovery form asks for my ID card "
          "details (No. {idcard}, date of birth {dob}), but nothing goes through.",
          ("Password reset", "Cannot reset my password")),
        C("account_locked",
          "My online access was locked after three wrong attempts. IIN {iin}. Please unlock it; "
          "the hotline {hotline} told me to write to this address.",
          ("Access locked", "Online banking locked")),
    ),
    "contract_question": (
        C("early_repayment",
          "I have a loan under contract {contract}. I would like to repay {amount} early, by "
          "{deadline}. Do I need to file an application in advance, and will the interest be "
          "recalculated?",
          ("Early repayment", "Question about contract {contract}")),
        C("contract_terms",
          "Please explain clause 4.2 of contract {contract}: it mentions a service fee that "
          "nobody told me about when I signed. I would like to understand whether it is charged "
          "lawfully.",
          ("Question about contract terms", "Clause 4.2 of my contract")),
        C("contract_termination",
          "I want to terminate account agreement {contract}. Please tell me which documents are "
          "needed and by what date I must settle the balance. Passport {passport}, IIN {iin}.",
          ("Contract termination", "Closing my account")),
        C("interest_rate",
          "Under contract {contract} my interest rate changed from 18% to 21.5% without any "
          "notice. Please explain the grounds for the change and send me the new payment "
          "schedule.",
          ("Interest rate change", "Why did my rate go up?")),
    ),
    "no_reply_needed": (
        C(None,
          "Thank you, the issue with request {req} is resolved and the money is back. Nothing "
          "else is needed.",
          ("Re: Your request {req}", "Thank you"), kind="thanks"),
        C(None,
          "Thanks a lot for the quick help! The card has been unblocked and everything works.",
          ("Thanks!", "Re: Card blocked"), kind="thanks"),
        C(None,
          "This is an automatic reply. I am on leave until {date_future} and will not read "
          "e-mail. For urgent matters please contact my colleague {other} ({other_email}).",
          ("Re: Account statement", "Re: Your request"), kind="autoreply"),
        C(None,
          "Dear customers! From 1 December we are updating our tariffs: transfers to cards of "
          "other banks become cheaper and the free cash withdrawal limit goes up. Details: "
          "https://news.example.com/tariffs\n\nYou receive this e-mail because you subscribed "
          "to our newsletter. Unsubscribe: https://news.example.com/unsubscribe",
          ("New tariffs from 1 December", "News for our customers"), kind="newsletter"),
    ),
}  # fmt: skip

FRAME = Frame(
    greetings=("Hello,", "Good afternoon,", "Dear Support Team,", "Hi {agent},", "Dear {agent},"),
    intros=("My name is {name_full} and I have been a customer of your bank for several years.",
            "I am writing about my account with your bank.",
            "Please forward this e-mail to my manager, {agent_full}."),
    context=("This is the second time I am writing about this; my first e-mail went "
             "unanswered.",
             "Please let me know how long it will take to review my request and which "
             "documents you need from me.",
             "I have already called your hotline {hotline}, but the operator advised me to "
             "write an e-mail.",
             "At the branch I was told that this can only be resolved through customer "
             "support.",
             "I have been using your bank for many years and this is the first time I have had "
             "such a problem.",
             "I can send screenshots from the app if needed."),
    closings=("Thank you in advance.", "Looking forward to your reply.",
              "Please get back to me as soon as possible.", "Thanks!"),
    signoffs=("Best regards,\n{name}", "Kind regards,\n{name}\n{phone}", "Thanks,\n{name}",
              "Regards, {name}", "{name_initials}"),
    long_signature=(
        "Best regards,\n{name_full}\nChief Accountant, {company}\nOffice: {phone} | Mobile: "
        "{phone2}\nE-mail: {email}\n\nCONFIDENTIALITY NOTICE: This e-mail and any attachments are "
        "intended solely for the addressee and may contain confidential or legally privileged "
        "information. If you have received this e-mail in error, please notify the sender "
        "immediately and delete it. Any unauthorised use, copying or distribution is "
        "prohibited."),
    pii_lines={
        "iin": ("My IIN is {iin}.", "IIN: {iin}."),
        "phone": ("You can reach me at {phone}.", "My phone number is {phone}."),
        "dob": ("Date of birth: {dob}.", "I was born {dob}."),
        "idcard": ("ID card No. {idcard}.",),
        "passport": ("Passport number {passport}.", "My passport is {passport}."),
        "address": ("My registered address is {address}.", "I live at {address}."),
        "email": ("Please reply to {email}.",),
        "card": ("Card number: {card}.",),
        "iban": ("My account: {iban}.",),
    },
    urgent_subjects=("URGENT: ", "Urgent - "),
    urgent_lines=("Please treat this as urgent!", "This is urgent, please help."),
    urgent_today=("This must be resolved today, {deadline}.",
                  "Urgent: the deadline is today, {deadline}!"),
    secondary={
        "payment_complaint": ("Also, last month the service fee was charged twice, please "
                              "check.",),
        "delivery_question": ("One more question: when will the new card I ordered last week "
                              "be delivered?",),
        "closing_documents_request": ("Please also send the reconciliation statement for the "
                                      "last quarter.",),
        "card_blocked_or_fraud": ("By the way, yesterday my card was suddenly blocked during a "
                                  "payment; please unblock it.",),
        "account_access": ("Separately: I cannot log in to the mobile app, the SMS code does "
                           "not arrive.",),
        "contract_question": ("And please explain why the interest rate under my loan contract "
                              "went up.",),
    },
    forward_note=("Forwarding my e-mail of {date_prev}: I still have no answer.",
                  "Hello, sending my request again, see below."),
    forward_header=("---------- Forwarded message ---------\nFrom: {name} <{from_email}>\n"
                    "Date: {date_prev}\nTo: {agent_full} <{agent_email}>\nSubject: {subject}\n\n"),
    quote_header="\n\nOn {date_prev}, Customer Support <support@bank.example.kz> wrote:\n",
    quoted_reply=("Dear {name_polite},\nYour request {req} has been registered. A specialist will "
                  "contact you within 3 working days.\nFor urgent matters call {hotline}.\n\n"
                  "Kind regards,\n{agent_full}\nCustomer Support"),
    near_empty=("Please see attached.", "See attachment.", "Hello, details in the attachment."),
    letter_filename="letter.txt",
    scans=(
        ("contract_scan.txt",
         "ACCOUNT SERVICE AGREEMENT No. {contract}\n\n{city}            {date}\n\n"
         "Example Bank JSC (the \"Bank\") and {name_full}, IIN {iin}, ID card No. {idcard} (the "
         "\"Client\") have concluded this agreement as follows:\n1. SUBJECT OF THE AGREEMENT\n"
         "1.1. The Bank opens current account {iban} for the Client and issues a payment card."
         "\n\nClient address: {address}\nPhone: {phone}\nClient signature: __________ / "
         "{name_initials} /"),
        ("application_scan.txt",
         "APPLICATION\nfor reissue of a payment card\n\nFull name: {name_full}\nDate of birth: "
         "{dob}\nIIN: {iin}\nDocument: passport {passport}\nResidential address: {address}\n"
         "Contact phone: {phone}\n\nI ask you to reissue card {pcard} because it was lost.\n\n"
         "Date: {date}      Signature: __________"),
    ),
    statement=("statement.txt",
               "CARD STATEMENT {pcard}\nCardholder: {name_full}\nPeriod: month to date\n\n"
               "{date}  {merchant}  -{amount}\n{date}  {merchant}  -{amount}\n\n"
               "The closing balance is shown in the mobile app."),
    newsletter_senders=("Example Bank News <news@news.example.com>",
                        "Partner Club Digest <digest@mail.example>"),
    autoreply_prefix="Automatic reply: ",
    cores=CORES,
)  # fmt: skip
