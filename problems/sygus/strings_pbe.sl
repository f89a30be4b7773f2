; String programming by example, in the style of the PBE_SLIA track.
(set-logic SLIA)
(synth-fun f ((name String)) String
    ((Start String) (ntString String) (ntInt Int) (ntBool Bool))
    ((Start String (ntString))
     (ntString String (name " " "." (str.++ ntString ntString) (str.at ntString ntInt)
        (str.substr ntString ntInt ntInt) (ite ntBool ntString ntString)))
     (ntInt Int (0 1 2 (+ ntInt ntInt) (str.len ntString) (str.indexof ntString ntString ntInt)))
     (ntBool Bool ((str.prefixof ntString ntString) (str.contains ntString ntString)))))
(constraint (= (f "Ada Lovelace") "A."))
(constraint (= (f "Alan Turing") "A."))
(constraint (= (f "Grace Hopper") "G."))
(check-synth)
